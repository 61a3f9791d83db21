#!/usr/bin/env bash
# Interleaved runs of two (or more) binaries on one command, for before/after
# comparisons on a machine that is not idle: old, new, old, new, … so that a
# busy minute hits both alike. Prints every run and, per binary, the medians
# of wall time, CPU time (user + system) and peak RSS, from GNU time.
#
#   RUNS=7 benches/interleave.sh OLD NEW -- find "some words" --root DIR
#   benches/interleave.sh OLD NEW -- build --root DIR --output /dev/shm/out
#
#   RUNS=7 CLEAN="/dev/shm/out /dev/shm/zout" benches/interleave.sh \
#       -c "explainer build --root SITE --output /dev/shm/out" \
#       -c "zola --root ZSITE build --output-dir /dev/shm/zout --force"
#
# Each argument before `--` is a binary; the words after it are its arguments.
# When they hold `--output DIR`, DIR is removed before each run. The `-c` form
# takes whole commands instead (split at spaces: no quoting inside), for
# programs whose arguments differ. CLEAN names more folders to remove before
# each run. Removals are not timed. Exit codes are ignored (a `find` with no
# match exits 1), but a run killed by a signal stops the script.
set -euo pipefail

runs=${RUNS:-5}
usage() { echo "usage: benches/interleave.sh BIN... -- ARGS...  |  -c CMD -c CMD ..." >&2; exit 2; }
# Each entry of `cmds` is a binary (first form) or a whole command line
# (`-c`), and names its row.
cmds=()
# The arguments shared by every binary (first form only).
args=()
split=0
if [ "${1:-}" = -c ]; then
    split=1
    while [ $# -gt 0 ]; do
        if [ "$1" != -c ] || [ $# -lt 2 ]; then usage; fi
        cmds+=("$2")
        shift 2
    done
else
    names=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        names+=("$1")
        shift
    done
    [ $# -gt 0 ] || usage
    shift
    args=("$@")
    cmds=("${names[@]}")
fi
[ ${#cmds[@]} -gt 0 ] || usage
# Sets `words` to command K: binary and arguments.
command_words() {
    if [ "$split" = 1 ]; then
        read -ra words <<<"${cmds[$1]}"
    else
        words=("${cmds[$1]}" "${args[@]}")
    fi
}
clean=()
read -ra clean <<<"${CLEAN:-}"
for k in "${!cmds[@]}"; do
    command_words "$k"
    for ((i = 0; i + 1 < ${#words[@]}; i++)); do
        [ "${words[$i]}" = --output ] && clean+=("${words[$((i + 1))]}")
    done
done

# shellcheck source=benches/common.sh
. "$(dirname "$0")/common.sh"

declare -A rows
log=$(mktemp)
mem_start=$(mem_free_mib)
for r in $(seq "$runs"); do
    for k in "${!cmds[@]}"; do
        b=${cmds[$k]}
        command_words "$k"
        [ ${#clean[@]} -gt 0 ] && rm -rf "${clean[@]}"
        status=0
        /usr/bin/time -f '%e %U %S %M' -o "$log" "${words[@]}" >/dev/null 2>&1 || status=$?
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
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); free memory at start $mem_start MiB, at end $(mem_free_mib) MiB; $runs runs each, interleaved"
printf '%-60s %10s %10s %10s\n' binary "wall (s)" "cpu (s)" "RSS (MiB)"
for b in "${cmds[@]}"; do
    data=${rows[$b]%$'\n'}
    w=$(awk '{ print $1 }' <<<"$data" | median)
    c=$(awk '{ print $2 }' <<<"$data" | median)
    m=$(awk '{ print $3 }' <<<"$data" | median)
    printf '%-60s %10s %10s %10s\n' "$b" "$w" "$c" "$m"
done
