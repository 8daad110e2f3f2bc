#!/usr/bin/env bash
# `histkg push` into Virtuoso 7 beside Virtuoso's own bulk loader on the same graph (issue 16):
# for each pair, a fresh private Virtuoso (tests/interop/virtuoso-lib.sh, 2.6 GB of buffers)
# loads histkg's N-Triples export with `ld_dir` + `rdf_loader_run()`, then another fresh one
# receives `histkg push` (Graph Store Protocol, batches of --batch triples) three ways: from the
# store on one connection, from the store on four, and `--from` the same export file on four
# (one fresh Virtuoso each); each then runs a
# `checkpoint` (written to disk, as the loader's documentation asks), and the named graph is
# counted: both must hold every exported triple. Prints a Markdown table: seconds (load,
# load + checkpoint), peak RSS of histkg and of Virtuoso, the CPU seconds of each and the MB it
# read from disk (from its start to the count), and the ratio push / loader. When a way pushes
# from the store, each pair also times `histkg export` of that store to N-Triples (the file the
# loader needs before it can start), so a push from the store can also be set beside
# export + loader, the two steps it replaces.
#
#   bench/virtuoso-push.sh STORE [PAIRS] [BATCH]   # STORE: a built histkg store (bench/run.sh keeps them)
#   WAYS="store 4,file 4" bench/virtuoso-push.sh STORE   # only some of the ways (the default: all three)
#   WAYS="file 4 100000,file 4 10000" bench/virtuoso-push.sh STORE   # a way with its own --batch
#   NT=graph.nt bench/virtuoso-push.sh STORE   # STORE's N-Triples export, already written
#
# Scratch (the export, the databases) in a temporary directory under $TMPDIR, removed at the
# end; about 1.5 times the N-Triples size on disk. histkg is $HISTKG_BIN or the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
store="$(cd "${1:?usage: bench/virtuoso-push.sh STORE [PAIRS] [BATCH]}" && pwd)"
pairs="${2:-1}"
batch="${3:-10000}"   # histkg's default (src/push/mod.rs, DEFAULT_BATCH)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/histkg-target}"
histkg="${HISTKG_BIN:-$CARGO_TARGET_DIR/release/histkg}"
work="$(mktemp -d)"
port=$((20000 + RANDOM % 12000))
# Virtuoso's buffers: its documentation's figures for 4 GB of free memory unless
# VIRTUOSO_BUFFERS / VIRTUOSO_DIRTY_BUFFERS say otherwise (680000 / 500000 for 8 GB).
export VIRTUOSO_BUFFERS="${VIRTUOSO_BUFFERS:-340000}" VIRTUOSO_DIRTY_BUFFERS="${VIRTUOSO_DIRTY_BUFFERS:-250000}"
export VIRTUOSO_DIRS="$work/nt"
source tests/interop/virtuoso-lib.sh
mkdir -p "$work/nt"
if [ -n "${NT:-}" ]; then
  # An export already written (of the same store): linked, not written again.
  ln "$NT" "$work/nt/graph.nt" 2>/dev/null || cp "$NT" "$work/nt/graph.nt"
else
  "$histkg" export --store "$store" --format ntriples -o "$work/nt/graph.nt"
fi
triples=$(wc -l < "$work/nt/graph.nt")
graph="urn:histkg:bench"

sparql_count() {
  curl -s -H 'Accept: text/csv' --data-urlencode "query=SELECT (COUNT(*) AS ?n) WHERE { GRAPH <$graph> { ?s ?p ?o } }" \
    "http://127.0.0.1:$http/sparql" | tail -n 1
}
isql() { isql-vt "127.0.0.1:$sql" dba dba exec="$1" >/dev/null; }
virtuoso_peak() { awk '/VmHWM/ {print $2}' "/proc/$virtuoso/status"; }
# Virtuoso's CPU seconds (user + system) and the MB it read from disk, since it started.
virtuoso_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$virtuoso/stat"; }
virtuoso_read() { awk '/^read_bytes/ {printf "%d", $2 / 1048576}' "/proc/$virtuoso/io"; }
virtuoso_stats() { echo "$(virtuoso_peak) | $(virtuoso_cpu) | $(virtuoso_read)"; }
stop() { kill "$virtuoso"; wait "$virtuoso" 2>/dev/null || true; rm -rf "$work/virtuoso"; trap 'rm -rf "$work"' EXIT; }
now() { date +%s.%N; }

echo "| pair | method | load s | load + checkpoint s | histkg peak RSS kB | histkg CPU s | Virtuoso peak RSS kB | Virtuoso CPU s | Virtuoso read MB | triples held |"
echo "|---|---|---|---|---|---|---|---|---|---|"
ratios=()
for pair in $(seq "$pairs"); do
  start_virtuoso
  t0=$(now)
  isql "ld_dir('$work/nt', 'graph.nt', '$graph'); rdf_loader_run();"
  t1=$(now)
  isql "checkpoint;"
  t2=$(now)
  held=$(sparql_count)
  [ "$held" = "$triples" ] || { echo "the bulk loader holds $held of $triples triples" >&2; exit 1; }
  loader=$(echo "$t1 - $t0" | bc); loader_cp=$(echo "$t2 - $t0" | bc)
  echo "| $pair | ld_dir + rdf_loader_run | $loader | $loader_cp | | | $(virtuoso_stats) | $held |"
  stop

  IFS=, read -ra ways <<< "${WAYS:-store 1,store 4,file 4}"
  export_s=""
  if [[ ",${WAYS:-store}" == *",store"* ]]; then
    t0=$(now)
    /usr/bin/time -f '%M %U %S' -o "$work/export.rss" "$histkg" export --store "$store" --format ntriples \
      -o "$work/again.nt" 2>"$work/export.err" || { cat "$work/export.err" >&2; exit 1; }
    t1=$(now)
    read -r rss user system < "$work/export.rss"
    [ "$(wc -l < "$work/again.nt")" = "$triples" ] || { echo "the export has not $triples lines" >&2; exit 1; }
    rm -f "$work/again.nt"
    export_s=$(echo "$t1 - $t0" | bc)
    echo "| $pair | histkg export --format ntriples | $export_s | | $rss | $(echo "$user + $system" | bc) | | | | $triples |"
  fi
  for how in "${ways[@]}"; do
    set -- $how
    size="${3:-$batch}"
    from=(--store "$store"); label="histkg push --connections $2"
    [ "$1" = file ] && { from=(--from "$work/nt/graph.nt"); label="histkg push --from graph.nt --connections $2"; }
    [ -n "${3:-}" ] && label="$label --batch $3"
    start_virtuoso
    t0=$(now)
    /usr/bin/time -f '%M %U %S' -o "$work/push.rss" "$histkg" push "${from[@]}" --graph "$graph" --replace \
      --batch "$size" --connections "$2" --endpoint "http://127.0.0.1:$http/sparql-graph-crud" >/dev/null 2>"$work/push.err" \
      || { cat "$work/push.err" >&2; exit 1; }
    t1=$(now)
    isql "checkpoint;"
    t2=$(now)
    held=$(sparql_count)
    [ "$held" = "$triples" ] || { echo "the push left $held of $triples triples" >&2; exit 1; }
    read -r rss user system < "$work/push.rss"
    push=$(echo "$t1 - $t0" | bc); push_cp=$(echo "$t2 - $t0" | bc)
    echo "| $pair | $label | $push | $push_cp | $rss | $(echo "$user + $system" | bc) | $(virtuoso_stats) | $held |"
    grep -h "^note" "$work/push.err" >&2 || true
    stop
    ratios+=("$1/$2${3:+/$3}: $(echo "scale=2; $push_cp / $loader_cp" | bc)")
    if [ "$1" = store ]; then
      ratios+=("($1/$2${3:+/$3} / (export + loader): $(echo "scale=2; $push_cp / ($export_s + $loader_cp)" | bc))")
    fi
  done
done
echo
echo "$triples triples; push / bulk loader (with checkpoint), per pair and way (from the store or the file, connections): ${ratios[*]}"
