#!/usr/bin/env bash
# The curated query library on engines nobody here wrote (issue 16, point 2): the shipped
# graph pushed into a private Virtuoso 7 (signed in, a named graph, queried with
# default-graph-uri) and read by Apache Jena's ARQ (`arq.sparql --data`, Debian's
# libapache-jena-java); every queries/*.rq, as `histkg query NAME --standalone` prints it
# (its PREFIX declarations, then its text: standard SPARQL 1.1), runs on both, and
# engines.py compares the answers with queries/*.tsv as multisets of solutions.
# Usage: tests/interop/queries.sh PATH/TO/histkg   (python with rdflib on PATH; java)
set -euo pipefail
histkg="$1"
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/virtuoso-lib.sh"
here="$root/tests/interop"
start_virtuoso
graph="urn:histkg:queries"
"$histkg" export --store "$work/store" --format ntriples -o "$work/graph.nt"
HISTKG_PUSH_PASSWORD=dba "$histkg" push --store "$work/store" --user dba --graph "$graph" --replace \
  --endpoint "http://127.0.0.1:$http/sparql-graph-crud-auth" --verify >/dev/null
mkdir -p "$work/rq" "$work/virtuoso-answers" "$work/jena-answers"
for rq in queries/*.rq; do
  name=$(basename "$rq" .rq)
  "$histkg" query "$name" --standalone --store "$work/store" > "$work/rq/$name.rq"
  curl -s -o "$work/virtuoso-answers/$name.json" -H 'Accept: application/sparql-results+json' \
    --data-urlencode "query@$work/rq/$name.rq" --data-urlencode "default-graph-uri=$graph" \
    "http://127.0.0.1:$http/sparql"
done
classpath=$(bash "$here/jena-classpath.sh" "$work")
export classpath work
# One JVM per query, two at a time (about 2 s each).
ls "$work/rq" | sed 's/\.rq$//' | xargs -P 2 -I{} sh -c \
  'java -cp "$classpath" arq.sparql --data "$work/graph.nt" --query "$work/rq/{}.rq" --results JSON > "$work/jena-answers/{}.json" 2> "$work/jena-answers/{}.err" || cat "$work/jena-answers/{}.err" >&2'
python "$here/engines.py" queries "virtuoso=$work/virtuoso-answers" "jena=$work/jena-answers"
echo "queries: all $(ls queries/*.rq | wc -l) curated queries give their golden answers on Virtuoso $(virtuoso-t +version 2>&1 | grep -o '[0-9][0-9.]*' | head -1) and Jena $(dpkg-query -W -f='${Version}' libapache-jena-java)"
