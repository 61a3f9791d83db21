#!/usr/bin/env bash
# explainer against Zola on the same synthetic pages: the comparison of
# issue 18 ("CPU per page: half of Zola's"), in interleaved runs.
#
#   ZOLA=/path/to/zola benches/vs-zola.sh          # N = 10000, 7 runs each
#   ZOLA=/path/to/zola RUNS=11 benches/vs-zola.sh 1000
#
# Zola is not built or installed here: ZOLA names its binary (default: `zola`
# on PATH). The comparison was made with Zola 0.22.1.
#
# The corpus is benches/run.sh's (site-N, code blocks in five languages),
# generated if missing. It is converted into a Zola site beside it
# (zola-site-N), made again when the corpus is newer:
# - every content page as it is: its TOML front matter (title, description,
#   weight) is Zola's too, and its citations stay text;
# - an `_index.md` per folder, sorted by weight;
# - three minimal templates: a page shows its title, description and content;
#   the home and a section page their title and links to their subsections
#   (explainer writes no page per folder, so Zola's section pages list no
#   pages either);
# - highlighting with classes and one theme (github-light); no search index,
#   no feed, no Sass.
# Zola renders those pages and a page per folder. explainer renders the
# same pages with `search = false` (as in run.sh's "build" row) and, beyond
# them, a provenance page per source, the claims and sources indexes and
# annotations.jsonld: it does more work on the same input.
#
# Both outputs are removed before each run (untimed), so neither build pays
# for deleting an earlier one. Results: target/bench/vs-zola.md.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
n=${1:-10000}
export RUNS=${RUNS:-7}
zola=${ZOLA:-$(command -v zola || true)}
if [ -z "$zola" ] || [ ! -x "$zola" ]; then
    echo "vs-zola: no Zola binary; set ZOLA=/path/to/zola" >&2
    exit 2
fi

# shellcheck source=benches/common.sh
. "$repo/benches/common.sh"
base=$(bench_dir "$repo")
mkdir -p "$base" "$repo/target/bench"
corpus=$base/site-$n
zsite=$base/zola-site-$n
out=$base/out-vs-$n
zout=$base/zout-vs-$n

echo "building (release) ..." >&2
cargo build --release --locked --bin explainer --example gen_site >&2
mkdir -p "$base/bin"
bin=$base/bin/explainer-vs
cp "${EXPLAINER_BIN:-$repo/target/release/explainer}" "$bin.new" && mv "$bin.new" "$bin"

if ! grep -qx "pages = $n" "$corpus/.synth-site" 2>/dev/null ||
    ! grep -qx "code = languages" "$corpus/.synth-site"; then
    echo "generating $corpus ..." >&2
    "$repo/target/release/examples/gen_site" --pages "$n" --out "$corpus" --code languages >&2
fi
# Without a search index, as Zola builds here.
set_search "$corpus" false

# The Zola site: made again when the corpus's marker is newer than it.
if [ ! -f "$zsite/.from" ] || [ "$corpus/.synth-site" -nt "$zsite/.from" ]; then
    echo "converting $corpus into $zsite ..." >&2
    rm -rf "$zsite"
    mkdir -p "$zsite/templates"
    cp -r "$corpus/content" "$zsite/content"
    cat >"$zsite/config.toml" <<'EOF'
base_url = "http://127.0.0.1:1111"
title = "Synthetic site"
compile_sass = false
build_search_index = false
generate_feeds = false

[markdown.highlighting]
style = "class"
theme = "github-light"
EOF
    section_index() { # DIR TITLE
        printf '+++\ntitle = "%s"\nsort_by = "weight"\n+++\n' "$2" >"$1/_index.md"
    }
    section_index "$zsite/content" "Home"
    for dir in "$zsite"/content/*/; do
        section_index "$dir" "$(basename "$dir")"
    done
    cat >"$zsite/templates/base.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{% block title %}{{ config.title }}{% endblock title %}</title>
<link rel="stylesheet" href="{{ get_url(path='giallo.css') }}">
</head>
<body>
<main>{% block content %}{% endblock content %}</main>
</body>
</html>
EOF
    cat >"$zsite/templates/page.html" <<'EOF'
{% extends "base.html" %}
{% block title %}{{ page.title }}{% endblock title %}
{% block content %}
<h1>{{ page.title }}</h1>
<p>{{ page.description }}</p>
{{ page.content | safe }}
{% endblock content %}
EOF
    cat >"$zsite/templates/section.html" <<'EOF'
{% extends "base.html" %}
{% block title %}{{ section.title }}{% endblock title %}
{% block content %}
<h1>{{ section.title }}</h1>
<ul>
{% for s in section.subsections %}<li><a href="{{ get_url(path="@/" ~ s) | safe }}">{{ s }}</a></li>
{% endfor %}
</ul>
{% endblock content %}
EOF
    cp "$zsite/templates/section.html" "$zsite/templates/index.html"
    date -u >"$zsite/.from"
fi

echo "warm-up ..." >&2
rm -rf "$out" "$zout"
"$bin" build --root "$corpus" --output "$out" >/dev/null
"$zola" --root "$zsite" build --output-dir "$zout" --force >/dev/null
pages=$(find "$out" -name '*.html' | wc -l)
zpages=$(find "$zout" -name '*.html' | wc -l)
zversion=$("$zola" --version)

results=$repo/target/bench/vs-zola.md
table=$(CLEAN="$out $zout" benches/interleave.sh \
    -c "$bin build --root $corpus --output $out" \
    -c "$zola --root $zsite build --output-dir $zout --force")
rm -rf "$out" "$zout"
# Rows 3 and 4 of interleave.sh's table: explainer's medians, then Zola's.
read -r ew ec em < <(awk 'NR == 3 { print $(NF - 2), $(NF - 1), $NF }' <<<"$table")
read -r zw zc zm < <(awk 'NR == 4 { print $(NF - 2), $(NF - 1), $NF }' <<<"$table")
{
    echo "# explainer against $zversion, $n pages"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' + uncommitted changes'), $(nproc) CPUs, medians of $RUNS interleaved runs, outputs on $(df --output=fstype "$base" | tail -1)."
    echo
    echo "| $n pages | wall (s) | CPU (s) | peak RSS (MiB) | HTML files |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    echo "| explainer | $ew | $ec | $em | $pages |"
    echo "| $zversion | $zw | $zc | $zm | $zpages |"
    awk -v ew="$ew" -v ec="$ec" -v em="$em" -v zw="$zw" -v zc="$zc" -v zm="$zm" \
        'BEGIN { printf "| explainer / Zola | %.2f | %.2f | %.2f | |\n", ew / zw, ec / zc, em / zm }'
    echo
    echo '```'
    echo "$table"
    echo '```'
} >"$results"
cat "$results"
