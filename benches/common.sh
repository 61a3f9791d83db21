# shellcheck shell=bash
# Shared by the benchmark scripts (sourced, not run): where corpora go, the
# search switch of a corpus, medians.

# Where corpora, outputs and copied binaries go: BENCH_DIR, else tmpfs
# (/dev/shm: no disk I/O in the figures), else target/bench. $1: the repository.
bench_dir() {
    if [ -n "${BENCH_DIR:-}" ]; then
        echo "$BENCH_DIR"
    elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
        echo /dev/shm/explainer-bench
    else
        echo "$1/target/bench"
    fi
}

# Sets `search = true|false` ($2) in the site.toml of corpus $1 (its last key).
set_search() {
    local toml=$1/site.toml
    grep -v '^search = ' "$toml" >"$toml.new" || true
    echo "search = $2" >>"$toml.new"
    mv "$toml.new" "$toml"
}

# Median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# MiB of memory free (MemFree: not even used as page cache), or "?".
mem_free_mib() {
    local kib
    kib=$(awk '/^MemFree:/ { print $2; exit }' /proc/meminfo 2>/dev/null) || true
    if [ -n "$kib" ]; then echo $((kib / 1024)); else echo "?"; fi
}

# Warns when less memory is free than a build of $1 pages fills (about
# 80 KiB a page: its output on tmpfs and its peak RSS). Short of it, the
# kernel reclaims page cache for the pages the build writes: the
# 100,000-page build's system time went from 5.3-6.0 s to 10.8-14.9 s with
# 5 GB free (benches/README.md, "Issue 18, ninth round").
warn_low_memory() {
    local n=$1 have need
    have=$(mem_free_mib)
    need=$((n * 80 / 1024))
    if [ "$have" != "?" ] && [ "$have" -lt "$need" ]; then
        echo "warning: $have MiB of memory free, under the $need MiB a $n-page build fills; the kernel's time will include reclaiming memory (free /dev/shm, or drop caches)" >&2
    fi
}
