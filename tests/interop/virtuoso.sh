#!/usr/bin/env bash
# `histkg push` into a real Virtuoso 7 (Debian's virtuoso-opensource-7-bin): a private
# instance on loopback with its own ini and database in a temporary directory, stopped at the
# end (never the system service). The graph goes in batches of known length (Virtuoso 7.2.5
# resets the connection on a chunked body), signed in by HTTP Digest on the authenticated
# endpoint (the password from HISTKG_PUSH_PASSWORD, then asked at a terminal), replaced
# atomically through /sparql-auth (a temporary graph, counted, then MOVEd); afterwards the
# remote named graph holds exactly the local triples (compared as sets by rdflib), and again
# after a second push with --replace on the open endpoint; `--verify` reads it back; a wrong
# password and a missing --graph are errors that say what to do; the gzip-compressed export
# goes `--from` the file on four connections and is held whole.
# Usage: tests/interop/virtuoso.sh PATH/TO/histkg   (python with rdflib on PATH)
set -euo pipefail
histkg="$1"
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/virtuoso-lib.sh"
start_virtuoso
graph="https://example.org/histkg/graph"
endpoint="http://127.0.0.1:$http/sparql-graph-crud"
auth="http://127.0.0.1:$http/sparql-graph-crud-auth"
"$histkg" export --store "$work/store" --format ntriples -o "$work/local.nt"
HISTKG_PUSH_PASSWORD=dba "$histkg" push --store "$work/store" --endpoint "$auth" --user dba \
  --graph "$graph" --replace --batch 2000 --update-endpoint "http://127.0.0.1:$http/sparql-auth" --verify
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
# The export itself, gzip-compressed, pushed --from the file in batches of 1000 on four
# connections into another graph: it holds every line of it.
gzip -c "$work/local.nt" > "$work/local.nt.gz"
"$histkg" push --from "$work/local.nt.gz" --endpoint "$endpoint" --graph urn:histkg:from-file \
  --replace --batch 1000 --connections 4 --verify > "$work/from-file.out"
grep -q "verified: the graph holds exactly the $expected triples sent" "$work/from-file.out" \
  || { cat "$work/from-file.out" >&2; exit 1; }
echo "virtuoso: push --from the gzip-compressed export on 4 connections holds its $expected triples"
# The authenticated endpoint refuses a wrong password, and asks for one without --user.
if out=$(HISTKG_PUSH_PASSWORD=wrong "$histkg" push --store "$work/store" --endpoint "$auth" --user dba --graph "$graph" 2>&1); then
  echo "a push with a wrong password succeeded" >&2; exit 1
fi
case "$out" in *"answered 401 Unauthorized; the store refused the user dba"*) ;; *) echo "unexpected error: $out" >&2; exit 1 ;; esac
echo "virtuoso: a wrong password: ${out#error: }"
if out=$("$histkg" push --store "$work/store" --endpoint "$auth" --graph "$graph" 2>&1); then
  echo "a push without a user succeeded on the authenticated endpoint" >&2; exit 1
fi
case "$out" in *"give --user NAME"*) ;; *) echo "unexpected error: $out" >&2; exit 1 ;; esac
# Without HISTKG_PUSH_PASSWORD the password is asked at the terminal (not echoed): typed
# into a pseudo-terminal by script(1).
(sleep 1; printf 'dba\n') | script -qec "'$histkg' push --store '$work/store' --endpoint '$auth' --user dba --graph urn:histkg:typed --replace" /dev/null > "$work/typed.out"
grep -q "password for dba at $auth:" "$work/typed.out" && grep -q "sent $expected triples" "$work/typed.out" \
  || { cat "$work/typed.out" >&2; exit 1; }
typed=$(curl -s -H 'Accept: text/csv' --data-urlencode "query=SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:histkg:typed> { ?s ?p ?o } }" "http://127.0.0.1:$http/sparql" | tail -n 1)
[ "$typed" = "$expected" ] || { echo "after a typed password Virtuoso holds $typed triples" >&2; exit 1; }
echo "virtuoso: the password typed at the prompt: $typed triples"
# Virtuoso's Graph Store endpoint has no default graph: the message says to give --graph.
if out=$("$histkg" push --store "$work/store" --endpoint "$endpoint" 2>&1); then
  echo "a push to Virtuoso's default graph succeeded" >&2; exit 1
fi
case "$out" in *"give --graph IRI"*) ;; *) echo "unexpected error: $out" >&2; exit 1 ;; esac
echo "virtuoso: without --graph: ${out#error: }"
