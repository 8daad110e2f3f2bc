#!/usr/bin/env bash
# Interoperability with software nobody here wrote: build the shipped data, export it in
# every format, and check that rdflib finds each export isomorphic to the N-Triples export
# and that the oxigraph CLI (PyPI) loads the N-Quads export with the same number of triples.
# Usage: tests/interop/run.sh PATH/TO/histkg   (python with rdflib and oxigraph on PATH)
set -euo pipefail
histkg="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
"$histkg" build --data data --store "$work/store" >/dev/null
for f in turtle ntriples nquads trig rdfxml jsonld; do
  "$histkg" export --store "$work/store" --format "$f" -o "$work/graph.$f"
done
python "$here/isomorphic.py" "$work"

# GEXF for Gephi: valid against the GEXF 1.3 XML Schema (vendored, tests/vendor/gexf-1.3),
# and read by networkx with the nodes, edges and spells rdflib counts.
"$histkg" export --store "$work/store" --format gexf -o "$work/graph.gexf"
"$histkg" export --store "$work/store" --format gexf --events -o "$work/graph-events.gexf"
xmllint --noout --schema "$root/tests/vendor/gexf-1.3/gexf.xsd" "$work/graph.gexf" "$work/graph-events.gexf"
python "$here/gexf.py" "$work"

# Citations: CSL-JSON against the CSL data schema and rendered by citeproc-py in two styles;
# BibLaTeX parsed by bibtexparser.
"$histkg" export --store "$work/store" --format csl -o "$work/sources.csl.json"
"$histkg" export --store "$work/store" --format bibtex -o "$work/sources.bib"
python "$here/citations.py" "$work" "$root"

# Linked Places for gazetteers: every feature against the World Historical Gazetteer's schema.
"$histkg" export --store "$work/store" --format lpf -o "$work/places.lpf.json"
python "$here/lpf.py" "$work" "$root"

oxigraph load --location "$work/oxstore" --file "$work/graph.nquads" --format application/n-quads
loaded=$(oxigraph query --location "$work/oxstore" --query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --results-format tsv | tail -n 1 | sed -E 's/^"?([0-9]+).*/\1/')
expected=$(wc -l < "$work/graph.ntriples")
if [ "$loaded" != "$expected" ]; then
  echo "oxigraph CLI loaded $loaded triples from the N-Quads export, expected $expected" >&2
  exit 1
fi
echo "oxigraph CLI: loaded the N-Quads export, $loaded triples"
