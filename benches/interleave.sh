#!/usr/bin/env bash
# Interleaved runs of two (or more) binaries on one command, for before/after
# comparisons on a machine that is not idle: old, new, old, new, … so that a
# busy minute hits both alike. Prints every run and, per binary, the medians
# of wall time, CPU time (user + system) and peak RSS, from GNU time.
#
#   RUNS=7 benches/interleave.sh OLD NEW -- find "some words" --root DIR
#   benches/interleave.sh OLD NEW -- build --root DIR --output /dev/shm/out
#
# Each argument before `--` is a binary; the words after it are its arguments.
# When they hold `--output DIR`, DIR is removed before each run. Exit codes
# are ignored (a `find` with no match exits 1), but a run killed by a signal
# stops the script.
set -euo pipefail

runs=${RUNS:-5}
bins=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    bins+=("$1")
    shift
done
[ $# -gt 0 ] || { echo "usage: benches/interleave.sh BIN... -- ARGS..." >&2; exit 2; }
shift
args=("$@")
out=""
for ((i = 0; i < ${#args[@]}; i++)); do
    [ "${args[$i]}" = --output ] && out=${args[$((i + 1))]}
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A rows
log=$(mktemp)
for r in $(seq "$runs"); do
    for b in "${bins[@]}"; do
        [ -n "$out" ] && rm -rf "$out"
        status=0
        /usr/bin/time -f '%e %U %S %M' -o "$log" "$b" "${args[@]}" >/dev/null 2>&1 || status=$?
        if [ "$status" -gt 128 ]; then
            echo "$b killed (exit $status)" >&2
            exit 1
        fi
        read -r wall user sys rss < <(tail -1 "$log")
        line=$(awk -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" \
            'BEGIN { printf "%.3f %.3f %.1f", w, u + s, m / 1024 }')
        echo "run $r $b: wall cpu rss_mib = $line" >&2
        rows[$b]+="$line"$'\n'
    done
done
rm -f "$log"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each, interleaved"
printf '%-60s %10s %10s %10s\n' binary "wall (s)" "cpu (s)" "RSS (MiB)"
for b in "${bins[@]}"; do
    data=${rows[$b]%$'\n'}
    w=$(awk '{ print $1 }' <<<"$data" | median)
    c=$(awk '{ print $2 }' <<<"$data" | median)
    m=$(awk '{ print $3 }' <<<"$data" | median)
    printf '%-60s %10s %10s %10s\n' "$b" "$w" "$c" "$m"
done
