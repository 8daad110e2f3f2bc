"""The SHACL contract (data/shapes.ttl) checked by three engines nobody here wrote: pySHACL,
Zazuko's rdf-validate-shacl (node, tests/interop/shacl-js) and Apache Jena's `shacl validate`
(Debian's libapache-jena-java, its classpath from jena-classpath.sh in JENA_CLASSPATH). The
shipped graph must conform under all three; then each planted violation, one per shape, made
in a copy of the graph with rdflib, must be reported by each at the node and constraint it
breaks.

Usage: JENA_CLASSPATH=... python shacl.py GRAPH.ttl ROOT
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

graph_file, root = sys.argv[1], Path(sys.argv[2])
shapes = root / "data/shapes.ttl"
js = root / "tests/interop/shacl-js/validate.mjs"
HKG = Namespace("https://example.org/histkg/ontology#")
BASE = "https://example.org/histkg/"
SH = "http://www.w3.org/ns/shacl#"


def entity(kind):
    return lambda name: URIRef(f"{BASE}{kind}/{name}")


actor, event, assertion, source = (entity(k) for k in ("actor", "event", "assertion", "source"))


def py_results(path):
    conforms, report, _ = pyshacl.validate(str(path), shacl_graph=str(shapes))
    return conforms, report_results(report)


def jena_results(path):
    out = subprocess.run(
        ["java", "-cp", os.environ["JENA_CLASSPATH"], "shacl.shacl", "validate",
         "--shapes", str(shapes), "--data", str(path)],
        capture_output=True, text=True)
    if out.returncode != 0 or "ValidationReport" not in out.stdout:
        sys.exit(f"Jena's shacl validate failed: {out.stderr}")
    report = Graph().parse(data=out.stdout, format="turtle")
    report_node = next(report.subjects(RDF.type, URIRef(SH + "ValidationReport")))
    conforms = report.value(report_node, URIRef(SH + "conforms")).toPython()
    return conforms, report_results(report)


def report_results(report):
    """The (focus node, constraint component, severity) of each result in a SHACL validation
    report."""
    found = set()
    for r in report.subjects(RDF.type, URIRef(SH + "ValidationResult")):
        focus = report.value(r, URIRef(SH + "focusNode"))
        component = report.value(r, URIRef(SH + "sourceConstraintComponent"))
        severity = report.value(r, URIRef(SH + "resultSeverity"))
        found.add((str(focus) if not isinstance(focus, BNode) else "_", str(component).split("#")[1],
                   str(severity).split("#")[1]))
    return found


def js_results(path):
    out = subprocess.run(["node", str(js), str(shapes), str(path)], capture_output=True, text=True)
    if out.returncode not in (0, 1) or not out.stdout:
        sys.exit(f"rdf-validate-shacl failed: {out.stderr}")
    lines = out.stdout.splitlines()
    found = set()
    for line in lines[1:]:
        focus, _path, component, rest = line.split(" ", 3)
        severity = rest.split(":", 1)[0]
        found.add((focus if not focus.startswith("b") or "://" in focus else "_", component, severity))
    return lines[0] == "conforms: true", found


ENGINES = [("pySHACL", py_results), ("rdf-validate-shacl", js_results), ("Jena shacl", jena_results)]
shipped = Graph().parse(graph_file, format="turtle")
failed = False
with tempfile.TemporaryDirectory() as tmp:
    # rdf-validate-shacl's file reader knows Turtle by the extension .ttl.
    graph_file = Path(tmp) / "shipped.ttl"
    shipped.serialize(graph_file, format="turtle")
    for engine, results in ENGINES:
        conforms, found = results(graph_file)
        # Warnings (a name missing in a language dataset.ttl asks for, when no source gives
        # one) make sh:conforms false but break no rule: the contract is no violation.
        violations = sorted(r for r in found if r[2] != "Warning")
        warnings = len(found) - len(violations)
        print(f"{engine}: the shipped graph ({len(shipped)} triples): {len(violations)} violations, {warnings} warnings"
              + ("" if not violations else f" {violations[:5]}"))
        failed |= bool(violations)

    darma = actor("darma-bala")
    report = event("report-neplyuev-kazakh-visitors-1742")
    parent = assertion("darma-bala-parent-tseren-donduk")
    cases = [
        # A warning, not a violation: dataset.ttl asks for Russian (hkg:labelLanguage), and a
        # source may give no Russian form.
        ("no Russian label", darma, "QualifiedMinCountConstraintComponent/Warning",
         lambda g: g.remove((darma, RDFS.label, Literal("Дарма-Бала", lang="ru")))),
        ("only the root class", darma, "MinCountConstraintComponent",
         lambda g: g.remove((darma, RDF.type, HKG.Person))),
        ("an event without certainty", report, "MinCountConstraintComponent",
         lambda g: g.remove((report, HKG.certainty, None))),
        ("a certainty from another scheme", report, "NodeConstraintComponent",
         lambda g: g.set((report, HKG.certainty, HKG.julian))),
        ("an assertion with two objects", parent, "MaxCountConstraintComponent",
         lambda g: g.add((parent, RDF.object, actor("ayuka")))),
        ("an assertion whose predicate is no relation", parent, "ClassConstraintComponent",
         lambda g: g.set((parent, RDF.predicate, RDFS.label))),
        ("an assertion without a source", parent, "MinCountConstraintComponent",
         lambda g: g.remove((parent, PROV.wasDerivedFrom, None))),
        ("a source without a citation", source("moca"), "MinCountConstraintComponent",
         lambda g: g.remove((source("moca"), DCTERMS.bibliographicCitation, None))),
        ("bounds the wrong way round", report, "LessThanOrEqualsConstraintComponent",
         lambda g: g.set((report, HKG.notBefore, Literal("1742-10-09", datatype=XSD.date)))),
        ("a date without the EDTF datatype", report, "DatatypeConstraintComponent",
         lambda g: g.set((report, HKG.date, Literal("1742-09-27")))),
        ("a role that is no participation", HKG.sender, "HasValueConstraintComponent",
         lambda g: g.remove((HKG.sender, RDFS.subPropertyOf, HKG.participant))),
        ("a blank node", "_", "NodeKindConstraintComponent",
         lambda g: g.add((BNode(), RDF.type, HKG.Person))),
    ]
    for i, (what, focus, component, plant) in enumerate(cases):
        g = Graph()
        for t in shipped:
            g.add(t)
        plant(g)
        path = Path(tmp) / f"case{i}.ttl"
        g.serialize(path, format="turtle")
        component, _, severity = component.partition("/")
        expected = (str(focus), component, severity or "Violation")
        for engine, results in ENGINES:
            conforms, found = results(path)
            ok = not conforms and expected in found
            print(f"{engine}: {what}: {'reported' if ok else 'NOT reported'} ({component} at {focus}, {expected[2]})")
            failed |= not ok
if failed:
    sys.exit("the SHACL contract is not checked as it should be")
