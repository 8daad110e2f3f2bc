#!/usr/bin/env bash
# One real-socket check of `histkg serve` with clients nobody here wrote: SPARQLWrapper
# (PyPI) runs a SELECT through the SPARQL protocol, curl fetches an entity as Turtle with
# content negotiation, and rdflib parses it. Loopback only; the server is stopped at the end.
# Usage: tests/interop/serve.sh PATH/TO/histkg   (python with SPARQLWrapper and rdflib on PATH)
set -euo pipefail
histkg="$1"
source "$(dirname "$0")/../lib.sh"
serve_store --timeout 2

python - "$port" <<'PY'
import sys
from SPARQLWrapper import SPARQLWrapper, JSON
endpoint = SPARQLWrapper(f"http://127.0.0.1:{sys.argv[1]}/sparql")
endpoint.setQuery("SELECT ?name WHERE { actor:darma-bala rdfs:label ?name } ORDER BY ?name")
endpoint.setReturnFormat(JSON)
names = [b["name"]["value"] for b in endpoint.query().convert()["results"]["bindings"]]
assert names == ["Darma-Bala", "Дарма-Бала"], names
print(f"SPARQLWrapper: {names}")
PY

status=$(curl -s -o "$work/entity.ttl" -w '%{http_code} %{content_type}' -H 'Accept: text/turtle' "http://127.0.0.1:$port/actor/darma-bala")
[ "$status" = "200 text/turtle; charset=utf-8" ] || { echo "entity as Turtle: $status" >&2; exit 1; }
python - "$work/entity.ttl" <<'PY'
import sys
from rdflib import Graph, URIRef
g = Graph().parse(sys.argv[1], format="turtle")
assert (URIRef("https://example.org/histkg/actor/darma-bala"), None, None) in g
print(f"curl + rdflib: entity page as Turtle, {len(g)} triples")
PY
# Compression and revalidation as curl does them: the dump sent gzip-compressed (curl
# --compressed decodes it) is byte for byte the plain one, and its ETag answers 304.
curl -s -o "$work/plain.nt" "http://127.0.0.1:$port/graph.nt"
curl -s --compressed -D "$work/gz.headers" -o "$work/gz.nt" "http://127.0.0.1:$port/graph.nt"
grep -qi '^content-encoding: gzip' "$work/gz.headers" || { echo "the dump was not compressed" >&2; exit 1; }
cmp "$work/plain.nt" "$work/gz.nt" || { echo "the compressed dump differs" >&2; exit 1; }
etag=$(grep -i '^etag:' "$work/gz.headers" | cut -d' ' -f2- | tr -d '\r')
status=$(curl -s --compressed -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "http://127.0.0.1:$port/graph.nt")
[ "$status" = "304" ] || { echo "revalidating the dump with $etag answered $status, expected 304" >&2; exit 1; }
echo "curl: /graph.nt gzip-compressed ($(wc -c < "$work/plain.nt") bytes decoded, equal); If-None-Match $etag: 304"
status=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode 'update=INSERT DATA { <a:s> <a:p> <a:o> }' "http://127.0.0.1:$port/sparql")
[ "$status" = "403" ] || { echo "update answered $status, expected 403" >&2; exit 1; }
start=$(date +%s%N)
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/csv' --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }' "http://127.0.0.1:$port/sparql")
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$status" = "503" ] && [ "$elapsed" -lt 3000 ] || { echo "slow query: $status after $elapsed ms, expected 503 within 3000 ms" >&2; exit 1; }
echo "curl: update 403; slow query 503 after $elapsed ms (timeout 2 s)"

# Reconciliation as OpenRefine speaks it: the spec's schemas, a column in three scripts.
python "$(dirname "$0")/reconcile.py" "$port" "$root"
# The reconciliation benchmark, kept working on the shipped data (no timing threshold;
# BENCHMARKS.md has the numbers at 100k).
python "$root/bench/reconcile.py" "$port" "$root/data" 1 1
