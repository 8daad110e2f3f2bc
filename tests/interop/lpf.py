"""The Linked Places export read by software nobody here wrote: every feature is valid
against the World Historical Gazetteer's LPF schema (v1.2.2, vendored in tests/vendor/lpf)
with jsonschema, and there is one feature per place that rdflib finds in the N-Triples
export, with the place's IRI."""
import json
import sys
from pathlib import Path

import jsonschema
from rdflib import RDF, Graph, Namespace

work, root = Path(sys.argv[1]), Path(sys.argv[2])
collection = json.loads((work / "places.lpf.json").read_text(encoding="utf-8"))
schema = json.loads((root / "tests/vendor/lpf/schema_lpf_v1.2.2.json").read_text(encoding="utf-8"))
validator = jsonschema.Draft7Validator(schema)
failed = collection.get("type") != "FeatureCollection" or "@context" not in collection
for feature in collection["features"]:
    for error in validator.iter_errors(feature):
        print(f"jsonschema: {feature.get('@id')}: {error.message}")
        failed = True
rdf = Graph()
rdf.parse(work / "graph.ntriples", format="nt")
HKG = Namespace("https://example.org/histkg/ontology#")
places = sorted(str(p) for p in rdf.subjects(RDF.type, HKG.Place))
ids = sorted(f["@id"] for f in collection["features"])
print(f"jsonschema: {len(ids)} features valid against WHG's LPF schema; rdflib: {len(places)} places")
failed |= ids != places
sys.exit(1 if failed else 0)
