#!/usr/bin/env bash
# `histkg push` against a real `oxigraph serve` (PyPI) on loopback: afterwards the remote
# default graph holds exactly the triples of histkg's N-Triples export, and the named graph
# too; errors of the remote store are shown with its status. Then the atomic replace through
# Oxigraph's /update: a reader polling during it sees only the old or the new graph, and
# killing the store or the push midway leaves the old graph (the store restarted on its
# database shows it).
# Usage: tests/interop/push.sh PATH/TO/histkg   (oxigraph and curl on PATH; the synth
# example built beside histkg, as `cargo test --release` leaves it)
set -euo pipefail
histkg="$1"
source "$(dirname "$0")/../lib.sh"
start_oxigraph() {
  oxigraph serve --location "$work/remote" --bind "127.0.0.1:$port" 2>>"$work/oxigraph.log" &
  server=$!
  # A restart after a kill replays the store's write-ahead log first (300 MB here). If it never
  # answers, say whether it died (a port taken by another program) and show its log.
  wait_http "http://127.0.0.1:$port/" 300 || {
    kill -0 $server 2>/dev/null && echo "oxigraph serve (pid $server) is running but silent" >&2 \
      || echo "oxigraph serve exited" >&2
    tail -20 "$work/oxigraph.log" >&2
    return 1
  }
}
start_oxigraph
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT

"$histkg" push --store "$work/store" --endpoint "http://127.0.0.1:$port/store" --replace --verify
"$histkg" push --store "$work/store" --endpoint "http://127.0.0.1:$port/store" --batch 1000 --verify --graph "https://example.org/histkg/graph" --replace
"$histkg" export --store "$work/store" --format ntriples | sort > "$work/local.nt"
curl -s -H 'Accept: application/n-triples' "http://127.0.0.1:$port/store?default" | sort > "$work/remote.nt"
curl -s -H 'Accept: application/n-triples' "http://127.0.0.1:$port/store?graph=https%3A%2F%2Fexample.org%2Fhistkg%2Fgraph" | sort > "$work/named.nt"
cmp "$work/local.nt" "$work/remote.nt"
cmp "$work/local.nt" "$work/named.nt"
# Pushing again with --replace leaves exactly the same graph (no duplicates, nothing stale).
"$histkg" push --store "$work/store" --endpoint "http://127.0.0.1:$port/store" --replace >/dev/null
curl -s -H 'Accept: application/n-triples' "http://127.0.0.1:$port/store?default" | sort | cmp - "$work/local.nt"
if out=$("$histkg" push --store "$work/store" --endpoint "http://127.0.0.1:$port/nope" 2>&1); then
  echo "push to a wrong endpoint succeeded" >&2; exit 1
fi
case "$out" in *"answered 404"*) ;; *) echo "unexpected error: $out" >&2; exit 1 ;; esac
echo "oxigraph serve: holds exactly the $(wc -l < "$work/local.nt") exported triples (default and named graph); a wrong endpoint reports: ${out#error: }"

# --- The atomic replace, through Oxigraph's SPARQL Update endpoint. -------------------------
store="http://127.0.0.1:$port/store"
update="http://127.0.0.1:$port/update"
# count WHERE: the triples a SPARQL pattern matches on the remote store.
count() {
  curl -s -H 'Accept: text/csv' --data-urlencode "query=SELECT (COUNT(*) AS ?n) WHERE { $1 }" \
    "http://127.0.0.1:$port/query" | tail -n 1 | tr -d '\r'
}
staged='GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:histkg:push:"))'
# wait_staged: waits until a push has put triples in its temporary graph.
wait_staged() {
  for _ in $(seq 200); do
    [ "$(count "$staged")" -gt 0 ] 2>/dev/null && return 0
    sleep 0.05
  done
  echo "no temporary graph appeared" >&2; return 1
}
"$(dirname "$histkg")/examples/synth" --relations 5000 --out "$work/big-data" >/dev/null
"$histkg" build --data "$work/big-data" --store "$work/big" >/dev/null 2>&1
"$histkg" export --store "$work/big" --format ntriples | sort > "$work/big.nt"
old=$(wc -l < "$work/local.nt")
new=$(wc -l < "$work/big.nt")
# A reader polls the default graph while the big graph replaces the shipped one.
( while :; do count '?s ?p ?o'; sleep 0.02; done ) > "$work/seen" 2>/dev/null &
reader=$!
"$histkg" push --store "$work/big" --endpoint "$store" --replace --batch 2000 \
  --update-endpoint "$update" --verify > "$work/push.out"
sleep 0.2; kill $reader; wait $reader 2>/dev/null || true
grep -q "replaced $store?default atomically: $new triples sent in 84 requests" "$work/push.out" \
  || { cat "$work/push.out" >&2; exit 1; }
seen=$(sort -un "$work/seen" | tr '\n' ' ')
[ "$seen" = "$old $new " ] || { echo "a reader saw the default graph with: $seen(expected $old then $new)" >&2; exit 1; }
curl -s -H 'Accept: application/n-triples' "$store?default" | sort | cmp - "$work/big.nt"
[ "$(count "$staged")" = 0 ] || { echo "a temporary graph was left behind" >&2; exit 1; }
echo "oxigraph serve: atomic replace of $old by $new triples; a reader polling $(wc -l < "$work/seen") times saw only $seen"
"$histkg" push --store "$work/store" --endpoint "$store" --replace --update-endpoint "$update" >/dev/null
[ "$(count '?s ?p ?o')" = "$old" ]

# The store killed midway through an atomic replace: restarted, it holds the old graph.
"$histkg" push --store "$work/big" --endpoint "$store" --replace --batch 200 \
  --update-endpoint "$update" > /dev/null 2> "$work/killed.err" &
pusher=$!
wait_staged
kill -9 $server; wait $server 2>/dev/null || true
if wait $pusher; then echo "the push went on after its store was killed" >&2; exit 1; fi
grep -q "the target graph is untouched; the temporary graph could not be dropped: remove it with \`DROP SILENT GRAPH <urn:histkg:push:" "$work/killed.err" \
  || { cat "$work/killed.err" >&2; exit 1; }
# On another port: the killed server's connections keep its port in TIME_WAIT.
port=$((port + 2)); store="http://127.0.0.1:$port/store"; update="http://127.0.0.1:$port/update"
start_oxigraph
curl -s -H 'Accept: application/n-triples' "$store?default" | sort | cmp - "$work/local.nt"
drop=$(grep -o 'DROP SILENT GRAPH <[^>]*>' "$work/killed.err")
left=$(count "$staged")
curl -sf --data-urlencode "update=$drop" "$update"
[ "$(count "$staged")" = 0 ]
echo "oxigraph serve: killed during an atomic replace, restarted: the old $old triples; the $left staged ones dropped as the error said: $(cut -c1-160 "$work/killed.err")..."

# The push killed midway: the old graph, untouched.
"$histkg" push --store "$work/big" --endpoint "$store" --replace --batch 200 \
  --update-endpoint "$update" > /dev/null 2>&1 &
pusher=$!
wait_staged
kill -9 $pusher; wait $pusher 2>/dev/null || true
curl -s -H 'Accept: application/n-triples' "$store?default" | sort | cmp - "$work/local.nt"
echo "oxigraph serve: the push killed during an atomic replace: the old $old triples, $(count "$staged") staged ones left in a temporary graph"
