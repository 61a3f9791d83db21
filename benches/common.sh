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
