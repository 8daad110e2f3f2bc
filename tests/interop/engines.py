"""The curated query library compared across engines: each engine's answers (SPARQL JSON
results, one file per query) against the golden answers in queries/*.tsv, which histkg's own
tests check on Oxigraph. Answers are compared as multisets of solutions, read by rdflib's
result parsers: numbers by value (an xsd:integer 6 equals an xsd:int 6), a plain literal
equals an xsd:string one, language tags regardless of case, and a GROUP_CONCAT column as the
multiset of its parts (SPARQL leaves the order of an aggregate's values to the engine).

A query an engine answers wrongly through a bug of its own is listed in KNOWN with the
engine's issue, and left out of the comparison; the README lists the same.

Usage: python engines.py QUERIES_DIR ENGINE=ANSWERS_DIR...
"""

import re
import sys
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, Literal, Variable
from rdflib.namespace import XSD
from rdflib.query import Result

# (query, engine) -> the engine's issue that stops it. Empty: every query runs everywhere.
KNOWN: dict[tuple[str, str], str] = {}

NUMERIC = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.decimal, XSD.double,
           XSD.float, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.unsignedInt}
CONCAT = re.compile(
    r'GROUP_CONCAT\s*\(\s*(?:DISTINCT\s+)?\?\w+\s*;\s*SEPARATOR\s*=\s*"((?:[^"\\]|\\.)*)"\s*\)\s*AS\s+\?(\w+)',
    re.IGNORECASE)


def value(term, separator=None):
    """A term as a comparable value."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return ("blank",)
    if isinstance(term, Literal):
        if term.datatype in NUMERIC:
            try:
                return ("number", Decimal(str(term)).normalize())
            except InvalidOperation:
                return ("number?", str(term))
        datatype = None if term.datatype in (None, XSD.string) else str(term.datatype)
        text = str(term)
        if separator is not None and datatype is None:
            text = tuple(sorted(text.split(separator))) if text else ()
        return ("literal", text, (term.language or "").lower(), datatype)
    return ("iri", str(term))


def solutions(result, concat):
    names = [str(v).lstrip("?") for v in result.vars]
    rows = Counter()
    for binding in result.bindings:
        rows[tuple(value(binding.get(Variable(n)), concat.get(n)) for n in names)] += 1
    return names, rows


def main():
    queries, engines = Path(sys.argv[1]), [a.split("=", 1) for a in sys.argv[2:]]
    failed = 0
    for golden in sorted(queries.glob("*.tsv")):
        name = golden.stem
        text = (queries / f"{name}.rq").read_text()
        concat = {var: sep.encode().decode("unicode_escape") for sep, var in CONCAT.findall(text)}
        with open(golden, "rb") as f:
            names, expected = solutions(Result.parse(f, format="tsv"), concat)
        for engine, answers in engines:
            if (name, engine) in KNOWN:
                print(f"{engine}: {name}: left out, {KNOWN[(name, engine)]}")
                continue
            path = Path(answers) / f"{name}.json"
            try:
                with open(path, "rb") as f:
                    got_names, got = solutions(Result.parse(f, format="json"), concat)
            except Exception as e:  # an error page instead of results
                head = path.read_text(errors="replace")[:300].replace("\n", " ") if path.exists() else "no answer"
                print(f"{engine}: {name}: FAILED: {e}: {head}")
                failed += 1
                continue
            if got_names != names:
                print(f"{engine}: {name}: FAILED: variables {got_names}, expected {names}")
                failed += 1
            elif got != expected:
                failed += 1
                print(f"{engine}: {name}: FAILED: {sum(got.values())} solutions, expected {sum(expected.values())}")
                for row in list((expected - got).elements())[:3]:
                    print(f"    missing: {row}")
                for row in list((got - expected).elements())[:3]:
                    print(f"    extra:   {row}")
            else:
                print(f"{engine}: {name}: the golden {sum(got.values())} solutions")
    if failed:
        sys.exit(f"{failed} answers differ from queries/*.tsv")


main()
