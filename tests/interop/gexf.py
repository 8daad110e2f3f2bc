"""The GEXF export read by software nobody here wrote: networkx reads both GEXF files (with
and without --events) and finds the nodes, edges and spells that rdflib counts in the
N-Triples export of the same store, each edge with the Gregorian bounds of its assertion;
graphology-gexf (npm) finds the same nodes and edges.
The XML Schema validation is xmllint's, in run.sh."""
import subprocess
import sys
from pathlib import Path

import networkx as nx
from rdflib import RDF, Graph, Literal, Namespace, URIRef

work = Path(sys.argv[1])
rdf = Graph()
rdf.parse(work / "graph.ntriples", format="nt")
HKG = Namespace("https://example.org/histkg/ontology#")
VOID = Namespace("http://rdfs.org/ns/void#")
base = str(next(rdf.objects(None, VOID.uriSpace)))

actors = set(rdf.subjects(RDF.type, HKG.Actor))
events = set(rdf.subjects(RDF.type, HKG.Event))
roles = set(rdf.subjects(RDF.type, HKG.RoleProperty))
assertions = {
    a
    for a in rdf.subjects(RDF.type, HKG.Assertion)
    if rdf.value(a, RDF.subject) in actors and rdf.value(a, RDF.object) in actors
}
# One edge per (event, actor, role); `participant` only for an actor with no other role.
participations = set()
for e in events:
    named = {(o, p) for p, o in rdf.predicate_objects(e) if p in roles and p != HKG.participant}
    participations |= {(e, o, p) for o, p in named}
    for o in rdf.objects(e, HKG.participant):
        if not any(actor == o for actor, _ in named):
            participations.add((e, o, HKG.participant))


def bounds(subject):
    """The spell histkg should give `subject`: (notBefore, notAfter), None where open."""
    value = lambda p: (lambda v: str(v) if isinstance(v, Literal) else None)(rdf.value(subject, p))
    return value(HKG.notBefore), value(HKG.notAfter)


failed = False
counts = []
for name, nodes, edges in [
    ("graph.gexf", len(actors), len(assertions)),
    ("graph-events.gexf", len(actors) + len(events), len(assertions) + len(participations)),
]:
    counts += [str(work / name), str(nodes), str(edges)]
    net = nx.read_gexf(work / name, version="1.3")
    got = (net.number_of_nodes(), net.number_of_edges())
    print(f"networkx: {name}: {got[0]} nodes, {got[1]} edges (rdflib counts {nodes}, {edges})")
    failed |= got != (nodes, edges)
    for _, _, key, data in net.edges(keys=True, data=True):
        if not key.startswith("assertion/"):
            continue
        start, end = bounds(URIRef(base + key))
        # networkx gives an absent end of a spell (an open end) as the string "None".
        spells = [
            tuple(None if t == "None" else t for t in spell) for spell in data.get("spells", [])
        ]
        expected = [] if start is None and end is None else [(start, end)]
        if spells != expected:
            print(f"networkx: {name}: {key} has spells {spells}, expected {expected}")
            failed = True
# The same files read by graphology-gexf (npm; tests/interop/gexf-js, installed by .ci/run).
# It reads the nodes, edges and attributes; it does not keep spells.
checker = Path(__file__).parent / "gexf-js" / "check.mjs"
failed |= subprocess.run(["node", str(checker), *counts]).returncode != 0
sys.exit(1 if failed else 0)
