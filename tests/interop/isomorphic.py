"""Parse every histkg export with rdflib and compare it with the N-Triples export."""
import sys
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

work = Path(sys.argv[1])
reference = Graph()
reference.parse(work / "graph.ntriples", format="nt")
print(f"rdflib: N-Triples export has {len(reference)} triples")

formats = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "rdfxml": "xml", "jsonld": "json-ld"}
failed = False
for ext, fmt in formats.items():
    if fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(work / f"graph.{ext}", format=fmt)
        graph = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
    else:
        graph = Graph()
        graph.parse(work / f"graph.{ext}", format=fmt)
    same = isomorphic(reference, graph)
    print(f"rdflib: {ext:<7} {len(graph):>6} triples, isomorphic to N-Triples: {same}")
    failed |= not same
sys.exit(1 if failed else 0)
