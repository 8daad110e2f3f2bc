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

# The SHACL contract (data/shapes.ttl): the shipped graph conforms under pySHACL,
# rdf-validate-shacl and Jena's shacl, and one planted violation of each shape is reported by
# all three.
JENA_CLASSPATH=$(bash "$here/jena-classpath.sh" "$work") python "$here/shacl.py" "$work/graph.turtle" "$root"

# Workbooks: the shipped tables written by openpyxl (.xlsx) and odfpy (.ods), one sheet per
# table, build the same graph as the CSV files, with as many findings at the same rows.
"$histkg" check --data data > "$work/check-csv.txt" 2>&1
for ext in xlsx ods; do
  mkdir -p "$work/$ext"
  cp data/ontology.ttl data/dataset.ttl "$work/$ext/"
  python "$here/workbooks.py" data "$work/$ext/histkg.$ext"
  "$histkg" build --data "$work/$ext" --store "$work/store-$ext" >/dev/null 2>&1
  "$histkg" export --store "$work/store-$ext" --format ntriples -o "$work/graph-$ext.nt"
  if ! cmp -s "$work/graph.ntriples" "$work/graph-$ext.nt"; then
    echo "the shipped data read from a .$ext workbook gives another graph" >&2
    diff "$work/graph.ntriples" "$work/graph-$ext.nt" | head >&2
    exit 1
  fi
  "$histkg" check --data "$work/$ext" > "$work/check-$ext.txt" 2>&1
  # The same findings at the same rows: data/relations.csv:136:10 is histkg.xlsx:relations!J136.
  python - "$work/check-csv.txt" "$work/check-$ext.txt" "$ext" "$work/$ext" <<'PY'
import re, sys
csv_text, book_text = open(sys.argv[1]).read(), open(sys.argv[2]).read()
ext, book_dir = sys.argv[3], sys.argv[4]
def letters(n):
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s
def cell(m):
    table, line, column = m.group(1), m.group(2), m.group(3)
    where = f"{letters(int(column[1:]))}{line}" if column else f"{line}:{line}"
    return f"DIR/histkg.{ext}:{table}!{where}"
mapped = re.sub(r"data/(\w+)\.csv:(\d+)(:\d+)?", cell, csv_text)
mapped = mapped.replace(" in data (", " in DIR (").replace("\ndata: ", "\nDIR: ")
book = book_text.replace(book_dir + "/", "DIR/").replace(f" in {book_dir} (", " in DIR (")
book = book.replace(f"\n{book_dir}: ", "\nDIR: ")
if mapped != book:
    a, b = mapped.splitlines(), book.splitlines()
    first = next(i for i, (x, y) in enumerate(zip(a + [""], b + [""])) if x != y)
    sys.exit(f"check on the .{ext} workbook differs from check on the CSV files at line {first + 1}:\n{a[first:first+1]}\n{b[first:first+1]}")
print(f"workbook .{ext}: the same graph, and the same {len(mapped.splitlines())} lines of check output at the same cells")
PY
done

oxigraph load --location "$work/oxstore" --file "$work/graph.nquads" --format application/n-quads
loaded=$(oxigraph query --location "$work/oxstore" --query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --results-format tsv | tail -n 1 | sed -E 's/^"?([0-9]+).*/\1/')
expected=$(wc -l < "$work/graph.ntriples")
if [ "$loaded" != "$expected" ]; then
  echo "oxigraph CLI loaded $loaded triples from the N-Quads export, expected $expected" >&2
  exit 1
fi
echo "oxigraph CLI: loaded the N-Quads export, $loaded triples"
