"""Reconciliation as OpenRefine does it, against a running `histkg serve` on the shipped
data: the manifest and every answer validated against the Entity Reconciliation API 0.2
schemas (vendored in tests/vendor/reconciliation-0.2) with jsonschema; a column of names in
Cyrillic, Kazakh Cyrillic and Latin script reconciled in one batch, POSTed as a form the
way OpenRefine sends it, each to the right person first; CORS headers present."""
import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

port, root = sys.argv[1], Path(sys.argv[2])
vendor = root / "tests/vendor/reconciliation-0.2"
schemas = {n: json.loads((vendor / f"{n}.json").read_text()) for n in
           ["manifest", "reconciliation-query-batch", "reconciliation-result-batch", "type",
            "suggest-entities-response", "suggest-types-response", "suggest-properties-response",
            "data-extension-query",
            "data-extension-response", "data-extension-property-proposal"]}
registry = Registry().with_resources(
    (s["$id"], Resource.from_contents(s, default_specification=DRAFT7)) for s in schemas.values()
)


def validate(name, instance):
    jsonschema.Draft7Validator(schemas[name], registry=registry).validate(instance)


url = f"http://127.0.0.1:{port}/reconcile"
with urllib.request.urlopen(url) as r:
    assert r.headers["Access-Control-Allow-Origin"] == "*", dict(r.headers)
    manifest = json.load(r)
validate("manifest", manifest)
print(f"manifest: valid against the 0.2 schema; {len(manifest['defaultTypes'])} default types")

column = {
    "q0": ("Абулхаир", "actor/abulkhair"),
    "q1": ("Abulkhair", "actor/abulkhair"),
    "q2": ("Abu'l-Khayr", "actor/abulkhair"),
    "q3": ("Әбілқайыр хан", "actor/abulkhair"),
    "q4": ("Дарма-Бала", "actor/darma-bala"),
    "q5": ("Darma Bala", "actor/darma-bala"),
}
queries = {k: {"query": q, "type": "Person", "limit": 3, "type_strict": "should"}
           for k, (q, _) in column.items()}
validate("reconciliation-query-batch", queries)
body = urllib.parse.urlencode({"queries": json.dumps(queries)}).encode()
request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
with urllib.request.urlopen(request) as r:
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    answers = json.load(r)
validate("reconciliation-result-batch", answers)
failed = False
for k, (q, expected) in column.items():
    result = answers[k]["result"]
    first = result[0]["id"] if result else None
    print(f"reconcile: {q!r} -> {first} (score {result[0]['score'] if result else '-'}, match {result[0]['match'] if result else '-'})")
    failed |= first != expected

# Suggest (what OpenRefine's type and entity boxes ask as one types) and the preview frame.
def get(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as r:
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        return r.read().decode()


entities = json.loads(get("/reconcile/suggest/entity?" + urllib.parse.urlencode({"prefix": "Абул"})))
validate("suggest-entities-response", entities)
types = json.loads(get("/reconcile/suggest/type?prefix=Pers"))
validate("suggest-types-response", types)
properties = json.loads(get("/reconcile/suggest/property?prefix="))
validate("suggest-properties-response", properties)
failed |= sorted(p["id"] for p in properties["result"]) != ["dates", "place", "related"]
# A column of names with a second column as a property, as OpenRefine sends it: the two
# Galdan-Tserens told apart by a related actor, Abulkhair by a place (a reconciled cell).
narrowed = {
    "p0": {"query": "Galdan-Tseren", "properties": [{"pid": "related", "v": "Аюка"}]},
    "p1": {"query": "Галдан-Церен", "properties": [{"pid": "related", "v": "Tsewang Rabtan"}]},
    "p2": {"query": "Abulkhair", "properties": [{"pid": "place", "v": {"id": "place/orsk", "name": "Orsk"}}]},
}
validate("reconciliation-query-batch", narrowed)
answers = json.loads(get("/reconcile?" + urllib.parse.urlencode({"queries": json.dumps(narrowed)})))
validate("reconciliation-result-batch", answers)
firsts = [answers[k]["result"][0]["id"] if answers[k]["result"] else None for k in ["p0", "p1", "p2"]]
print(f"properties: {[p['id'] for p in properties['result']]}; related/place narrow to {firsts}")
failed |= firsts != ["actor/galdan-tseren-son-of-ayuka", "actor/galdan-tseren", "actor/abulkhair"]
preview = get(manifest["preview"]["url"].replace(manifest["view"]["url"].split("{{id}}")[0], "/").replace("{{id}}", "actor/abulkhair"))
print(f"suggest: {[e['id'] for e in entities['result']]}; types {[t['id'] for t in types['result']]}; preview {len(preview)} bytes")
failed |= "actor/abulkhair" not in [e["id"] for e in entities["result"]]
failed |= [t["id"] for t in types["result"]] != ["Person"] or "Abulkhair" not in preview

# Data extension, as OpenRefine's "Add columns from reconciled values" asks.
proposal = json.loads(get("/reconcile/propose_properties?type=Person"))
validate("data-extension-property-proposal", proposal)
extend = {"ids": ["actor/abulkhair", "actor/darma-bala"],
          "properties": [{"id": p["id"]} for p in proposal["properties"]]}
validate("data-extension-query", extend)
body = urllib.parse.urlencode({"extend": json.dumps(extend)}).encode()
with urllib.request.urlopen(urllib.request.Request(url, data=body)) as r:
    extended = json.load(r)
validate("data-extension-response", extended)
print(f"extend: {len(extended['rows'])} rows; abulkhair label_ru {extended['rows']['actor/abulkhair']['label_ru']}")
failed |= extended["rows"]["actor/abulkhair"]["label_ru"] != [{"str": "Абулхаир"}]
sys.exit(1 if failed else 0)
