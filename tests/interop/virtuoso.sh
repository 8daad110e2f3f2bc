#!/usr/bin/env bash
# `histkg push` into a real Virtuoso 7 (Debian's virtuoso-opensource-7-bin): a private
# instance on loopback with its own ini and database in a temporary directory, stopped at the
# end (never the system service). The graph goes in batches of known length (Virtuoso 7.2.5
# resets the connection on a chunked body); afterwards the remote named graph holds exactly
# the local triples (compared as sets by rdflib), and again after a second push with
# --replace; `--verify` reads it back; without --graph the error says to give one. Issue 16,
# point 1, in part: no authentication or atomic replace yet.
# Usage: tests/interop/virtuoso.sh PATH/TO/histkg   (python with rdflib on PATH)
set -euo pipefail
histkg="$1"
source "$(dirname "$0")/../lib.sh"
http=$port
sql=$((port + 1))
mkdir -p "$work/virtuoso"
cat > "$work/virtuoso/virtuoso.ini" <<INI
[Database]
DatabaseFile = $work/virtuoso/virtuoso.db
ErrorLogFile = $work/virtuoso/virtuoso.log
LockFile = $work/virtuoso/virtuoso.lck
TransactionFile = $work/virtuoso/virtuoso.trx
xa_persistent_file = $work/virtuoso/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $work/virtuoso/virtuoso-temp.db
TransactionFile = $work/virtuoso/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$sql
DisableUnixSocket = 1
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., $work/virtuoso

[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = $work/virtuoso
MaxClientConnections = 8
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
INI
(cd "$work/virtuoso" && exec virtuoso-t +foreground +configfile "$work/virtuoso/virtuoso.ini") \
  >"$work/virtuoso/stdout.log" 2>&1 &
virtuoso=$!
trap 'kill $virtuoso 2>/dev/null; wait $virtuoso 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 300); do
  curl -s -o /dev/null "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" && break
  sleep 0.1
done
curl -s -o /dev/null "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" \
  || { echo "Virtuoso did not start:" >&2; tail "$work/virtuoso/virtuoso.log" >&2; exit 1; }
# The unauthenticated Graph Store endpoint writes as the SPARQL user once it may update.
isql-vt "127.0.0.1:$sql" dba dba exec='GRANT SPARQL_UPDATE TO "SPARQL";' >/dev/null
graph="https://example.org/histkg/graph"
endpoint="http://127.0.0.1:$http/sparql-graph-crud"
"$histkg" export --store "$work/store" --format ntriples -o "$work/local.nt"
"$histkg" push --store "$work/store" --endpoint "$endpoint" --graph "$graph" --replace --batch 2000 --verify
python - "$http" "$graph" "$work/local.nt" <<'PY'
import sys, urllib.parse, urllib.request
from rdflib import Graph
port, graph, local = sys.argv[1], sys.argv[2], sys.argv[3]
query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})
with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/plain"})) as r:
    remote = set(Graph().parse(data=r.read().decode(), format="nt"))
mine = set(Graph().parse(local, format="nt"))
if remote != mine:
    sys.exit(f"Virtuoso holds {len(remote)} triples, {len(remote - mine)} not in the export; {len(mine - remote)} of the export missing")
print(f"virtuoso: the named graph holds exactly the {len(mine)} exported triples")
PY
# A second push with --replace in one request leaves the same graph (nothing doubled).
"$histkg" push --store "$work/store" --endpoint "$endpoint" --graph "$graph" --replace >/dev/null
count=$(curl -s -H 'Accept: text/csv' --data-urlencode "query=SELECT (COUNT(*) AS ?n) WHERE { GRAPH <$graph> { ?s ?p ?o } }" "http://127.0.0.1:$http/sparql" | tail -n 1)
expected=$(wc -l < "$work/local.nt")
[ "$count" = "$expected" ] || { echo "after --replace Virtuoso holds $count triples, expected $expected" >&2; exit 1; }
echo "virtuoso: after a second push with --replace, still $count triples"
# Virtuoso's Graph Store endpoint has no default graph: the message says to give --graph.
if out=$("$histkg" push --store "$work/store" --endpoint "$endpoint" 2>&1); then
  echo "a push to Virtuoso's default graph succeeded" >&2; exit 1
fi
case "$out" in *"give --graph IRI"*) ;; *) echo "unexpected error: $out" >&2; exit 1 ;; esac
echo "virtuoso: without --graph: ${out#error: }"
