#!/usr/bin/env bash
# `histkg push` against a real `oxigraph serve` (PyPI) on loopback: afterwards the remote
# default graph holds exactly the triples of histkg's N-Triples export, and the named graph
# too; errors of the remote store are shown with its status.
# Usage: tests/interop/push.sh PATH/TO/histkg   (oxigraph and curl on PATH)
set -euo pipefail
histkg="$1"
source "$(dirname "$0")/../lib.sh"
oxigraph serve --location "$work/remote" --bind "127.0.0.1:$port" 2>"$work/oxigraph.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
wait_http "http://127.0.0.1:$port/"

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
