#!/usr/bin/env bash
# `histkg build` variants beside `oxigraph load` of histkg's own N-Triples, each followed by
# the readiness query (bench/queries/count-by-relation.rq, a scan of every assertion) on the
# store it left (issue 19, "Build at 1m"). Each pair runs `oxigraph load` first, then every
# variant, each into a fresh directory that is removed after its query.
#
#   bench/build-variants.sh DATA NT PAIRS VARIANT...
#   bench/build-variants.sh /tmp/histkg-bench/1m/data /tmp/histkg-bench/1m/graph.nt 2 \
#     default "memory-4096:--memory-mb 4096"
#
# A VARIANT is LABEL or LABEL:EXTRA-ARGUMENTS for `histkg build`. Prints a Markdown table
# (seconds, peak RSS, the readiness query's seconds, the ratio to `oxigraph load` of the same
# pair). histkg is $HISTKG_BIN or the release build; oxigraph is the interop venv's CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: bench/build-variants.sh DATA NT PAIRS VARIANT...}"
nt="${2:?N-Triples export of DATA}"
pairs="${3:?number of pairs}"
shift 3
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/histkg-target}"
histkg="${HISTKG_BIN:-$CARGO_TARGET_DIR/release/histkg}"
oxigraph="${OXIGRAPH_BIN:-${HISTKG_VENV:-$HOME/.cache/histkg-venv}/bin/oxigraph}"
query=bench/queries/count-by-relation.rq
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
# Runs "$@" under /usr/bin/time; prints "seconds peak-RSS-MB".
timed() {
  local t0 t1
  t0=$(now)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  t1=$(now)
  echo "$(echo "$t1 - $t0" | bc) $(( $(cat "$work/rss") / 1024 ))"
}

echo "| pair | build | s | / oxigraph load | peak RSS MB | count-by-relation s |"
echo "|---|---|---:|---:|---:|---:|"
for pair in $(seq "$pairs"); do
  read -r base rss < <(timed "$oxigraph" load --location "$work/oxigraph" --file "$nt")
  read -r scan _ < <(timed "$oxigraph" query --location "$work/oxigraph" --query-file "$query" --results-format tsv)
  echo "| $pair | oxigraph load | $base | 1 | $rss | $scan |"
  rm -rf "$work/oxigraph"
  for variant in "$@"; do
    label="${variant%%:*}"
    extra=()
    [ "$variant" != "$label" ] && read -ra extra <<< "${variant#*:}"
    read -r secs rss < <(timed "$histkg" build --data "$data" --store "$work/histkg" "${extra[@]}")
    read -r scan _ < <(timed "$histkg" query --store "$work/histkg" "$query" --format tsv)
    echo "| $pair | histkg build $label | $secs | $(echo "scale=2; $secs / $base" | bc) | $rss | $scan |"
    rm -rf "$work/histkg"
  done
done
