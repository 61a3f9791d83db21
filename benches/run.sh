#!/usr/bin/env bash
# Whole-process benchmark of `explainer build` and `explainer check` on
# synthetic sites (benches/synth/mod.rs, written by examples/gen_site.rs).
#
#   benches/run.sh                 # N = 1000 and 10000
#   benches/run.sh 100000          # any sizes
#   RUNS=9 benches/run.sh 10000    # more timed runs (default 5)
#
# Corpora go to /dev/shm/explainer-bench when /dev/shm exists (tmpfs: no disk
# I/O in the figures), else target/bench; BENCH_DIR overrides. A corpus is
# reused when its marker says it was generated for that N. For each N: one
# warm-up build, then RUNS builds and RUNS checks, each under /usr/bin/time -v
# (wall clock, user + system CPU, peak RSS); the table reports medians.
# Builds run with `search = false` (row "build"), as Zola and Hugo build
# without a search index, and again with search on (row "build + search":
# the same build plus /search/ and its Pagefind index); SEARCH=0 skips those.
# Results: target/bench/results.md (printed; every run is also appended to
# target/bench/history.md).
#
# EXPLAINER_BIN=PATH times that binary instead of the fresh release build.
# SYNTH_CODE=text generates (into site-N-text) the corpus whose code blocks are
# plain `text`, for comparison with the default, whose code blocks are in five
# real languages (Python, Rust, JavaScript, TOML, shell) and are highlighted.
#
# Each run is limited to BENCH_MEM_LIMIT_MIB of address space (default: half
# the machine's memory; 0 = no limit), so that a runaway build fails on its
# own instead of waking the kernel's OOM killer on a shared machine. A failed
# run is reported in the table, not hidden.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
runs=${RUNS:-5}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
mem_total_mib=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
mem_limit_mib=${BENCH_MEM_LIMIT_MIB:-$((mem_total_mib / 2))}

# shellcheck source=benches/common.sh
. "$repo/benches/common.sh"
base=$(bench_dir "$repo")
mkdir -p "$base" "$repo/target/bench"
results=$repo/target/bench/results.md

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time for /usr/bin/time -v" >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y time >&2; else sudo apt-get install -y time >&2; fi
fi

echo "building (release) ..." >&2
cargo build --release --locked --bin explainer --example gen_site >&2
# Time a private copy, so that a rebuild during the run cannot swap binaries
# between runs; EXPLAINER_BIN times another binary (e.g. an older build).
mkdir -p "$base/bin"
bin=$base/bin/explainer
cp "${EXPLAINER_BIN:-$repo/target/release/explainer}" "$bin.new" && mv "$bin.new" "$bin"
cp "$repo/target/release/examples/gen_site" "$base/bin/gen_site.new" && mv "$base/bin/gen_site.new" "$base/bin/gen_site"
gen=$base/bin/gen_site
bin_id=$(sha256sum "$bin" | cut -c1-12)

# "h:mm:ss" or "m:ss.ss" -> seconds.
to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }

# Runs a command under /usr/bin/time -v with the memory limit. Prints
# "wall cpu rss_mib" and succeeds, or prints "FAILED <why> <rss_mib>" and fails.
timed() {
    local log status=0
    log=$(mktemp)
    (
        [ "$mem_limit_mib" -gt 0 ] && ulimit -v $((mem_limit_mib * 1024))
        exec /usr/bin/time -v -o "$log" "$@"
    ) >/dev/null 2>"$log.err" || status=$?
    local wall user sys rss
    wall=$(grep 'Elapsed (wall clock) time' "$log" | awk '{ print $NF }' | to_seconds)
    user=$(grep 'User time (seconds)' "$log" | awk '{ print $NF }')
    sys=$(grep 'System time (seconds)' "$log" | awk '{ print $NF }')
    rss=$(grep 'Maximum resident set size' "$log" | awk '{ printf "%.0f", $NF / 1024 }')
    if [ "$status" -ne 0 ]; then
        local why
        why=$(grep -m1 -E 'terminated by signal|exit status' "$log" | sed 's/^[[:space:]]*//; s/Command //')
        grep -q -i 'memory allocation' "$log.err" && why="$why, memory allocation failed (limit $mem_limit_mib MiB)"
        echo "  $*: failed after ${wall:-?} s: ${why:-exit $status}" >&2
        tail -3 "$log.err" | sed 's/^/  | /' >&2
        rm -f "$log" "$log.err"
        echo "FAILED ${why// /_} ${rss:-?}"
        return 1
    fi
    rm -f "$log" "$log.err"
    awk -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
        'BEGIN { printf "%.3f %.3f %s\n", w, u + s, r }'
}

# Runs `timed` RUNS times; prints the table columns
# "median_wall min-max median_rss median_cpu/wall" or "FAILED why rss".
series() {
    local rows="" r i w c m
    for i in $(seq "$runs"); do
        [ "$1" = build ] && rm -rf "$out"
        if ! r=$(timed "$bin" "$@"); then
            echo "$r"
            return 0
        fi
        read -r w c m <<<"$r"
        echo "N=$n: $1 $i: wall $w s, cpu $c s, peak RSS $m MiB" >&2
        rows+="$r"$'\n'
    done
    rows=${rows%$'\n'}
    local mw lo hi mr mc
    mw=$(awk '{ print $1 }' <<<"$rows" | median)
    lo=$(awk '{ print $1 }' <<<"$rows" | sort -g | head -1)
    hi=$(awk '{ print $1 }' <<<"$rows" | sort -g | tail -1)
    mr=$(awk '{ print $3 }' <<<"$rows" | median)
    mc=$(awk '{ printf "%.3f\n", ($1 > 0 ? $2 / $1 : 0) }' <<<"$rows" | median)
    printf '%.2f %.2f–%.2f %.0f %.2f\n' "$mw" "$lo" "$hi" "$mr" "$mc"
}

row() { # N command series-output extra
    local n=$1 kind=$2 s=$3 extra=${4:-}
    if [[ $s == FAILED* ]]; then
        read -r _ why rss <<<"$s"
        echo "| $n | $kind | FAILED: ${why//_/ } | | ${rss} (at failure) | | | $extra |"
    else
        read -r mw range mr mc <<<"$s"
        local per
        per=$(awk -v w="$mw" -v n="$n" 'BEGIN { printf "%.3f", w * 1000 / n }')
        echo "| $n | $kind | $mw | $range | $mr | $mc | $per | $extra |"
    fi
}

code=${SYNTH_CODE:-languages}
case $code in
languages) suffix="" ;;
text) suffix="-text" ;;
*) echo "SYNTH_CODE is languages or text, not $code" >&2; exit 2 ;;
esac

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
mem_start=$(mem_free_mib)
rows_md=()
for n in "${sizes[@]}"; do
    corpus=$base/site-$n$suffix
    out=$base/out-$n$suffix
    if grep -qx "pages = $n" "$corpus/.synth-site" 2>/dev/null &&
        grep -qx "code = $code" "$corpus/.synth-site"; then
        echo "N=$n: reusing $corpus" >&2
    else
        echo "N=$n: generating $corpus ..." >&2
        "$gen" --pages "$n" --out "$corpus" --code "$code" >&2
    fi

    warn_low_memory "$n"
    # `search = false` for the rows compared with other generators.
    set_search "$corpus" false
    rm -rf "$out"
    echo "N=$n: warm-up build" >&2
    if warm=$(timed "$bin" build --root "$corpus" --output "$out"); then
        build=$(series build --root "$corpus" --output "$out")
    else
        build=$warm
    fi
    extra=""
    if [ -d "$out" ]; then
        extra="$(find "$out" -type f | wc -l) files, $(du -sm "$out" | awk '{ print $1 }') MiB"
    fi
    rm -rf "$out"
    rows_md+=("$(row "$n" build "$build" "$extra")")
    if [ "${SEARCH:-1}" != 0 ]; then
        set_search "$corpus" true
        if timed "$bin" build --root "$corpus" --output "$out" >/dev/null; then
            searched=$(series build --root "$corpus" --output "$out")
        else
            searched="FAILED warm-up ?"
        fi
        extra=""
        if [ -d "$out/pagefind" ]; then
            extra="index: $(find "$out/pagefind" -type f | wc -l) files, $(du -sm "$out/pagefind" | awk '{ print $1 }') MiB"
        fi
        rm -rf "$out"
        rows_md+=("$(row "$n" "build + search" "$searched" "$extra")")
        set_search "$corpus" false
    fi
    timed "$bin" check --root "$corpus" >/dev/null || true
    check=$(series check --root "$corpus")
    rows_md+=("$(row "$n" check "$check")")
done

{
    echo "# explainer benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' + uncommitted changes'), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg), free memory at start $mem_start MiB."
    echo "Binary sha256 $bin_id${EXPLAINER_BIN:+ ($EXPLAINER_BIN)}. Corpora in $base, code blocks: $code; median of $runs runs after one warm-up; minify off; peak RSS from GNU time; address space limited to $mem_limit_mib MiB per run."
    echo
    echo "| N pages | command | median wall (s) | wall min–max (s) | median peak RSS (MiB) | median cpu/wall | ms/page | output |"
    echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"
    printf '%s\n' "${rows_md[@]}"
} >"$results.new"
mv "$results.new" "$results"
{ cat "$results"; echo; } >>"$repo/target/bench/history.md"
cat "$results"
