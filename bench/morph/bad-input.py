#!/usr/bin/env python3
"""What the Morph-KGC baseline does with histkg's bad-input corpus (tests/fixtures/bad): for each
case made of replaced tables, the mini dataset with the case applied is mapped by Morph-KGC
(bench/morph/mapping.yml) and loaded by `oxigraph load`, and the result is printed as a Markdown
table beside histkg's verdict (the case's expected.txt). BENCHMARKS.md quotes it.

The mapping names every column, and the mini tables leave out optional ones (as histkg
allows), on which Morph-KGC stops with a DuckDB binder error. So, as a user of the pipeline
would have to, the missing columns are added empty first, to every table Python's csv module
can read as UTF-8; a table it cannot read is left as the case has it.

Usage: bench/morph/bad-input.py MORPH_PYTHON OXIGRAPH [CASE...]
"""

import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import pipeline  # noqa: E402  (bench/pipeline.py: the same Morph-KGC configuration)


def applies(case):
    """Only cases that replace tables: the others (deleted, unreadable files) need no mapper."""
    names = {p.name for p in case.iterdir()} - {"README", "expected.txt"}
    return names and all(n.endswith(".csv") for n in names)


def complete_columns(data):
    """Adds, empty, the columns of the shipped tables that a table of `data` leaves out."""
    for table in data.glob("*.csv"):
        shipped = ROOT / "data" / table.name
        if not shipped.exists():
            continue
        with open(shipped, newline="", encoding="utf-8") as f:
            columns = next(csv.reader(f))
        try:
            with open(table, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
        except (UnicodeDecodeError, csv.Error):
            continue
        if not rows or not set(rows[0]) <= set(columns) or set(rows[0]) == set(columns):
            continue
        header = rows[0]
        with open(table, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for row in rows[1:]:
                cells = dict(zip(header, row))
                w.writerow([cells.get(c, "") for c in columns])


def main():
    python, oxigraph, *wanted = sys.argv[1:]
    cases = sorted((ROOT / "tests/fixtures/bad").iterdir())
    if wanted:
        cases = [c for c in cases if c.name in wanted]
    print("| case | histkg | Morph-KGC | oxigraph load | triples loaded |")
    print("|---|---|---|---|---:|")
    for case in cases:
        if not case.is_dir() or not applies(case):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            shutil.copytree(ROOT / "tests/fixtures/mini", data)
            for f in ("ontology.ttl", "dataset.ttl"):
                shutil.copy(ROOT / "data" / f, data / f)
            for f in case.iterdir():
                if f.suffix == ".csv":
                    shutil.copy(f, data / f.name)
            complete_columns(data)
            out = Path(tmp) / "mapped.nt"
            config = pipeline.write_config(
                Path(tmp), HERE / "udfs.py", HERE / "mapping.yml", HERE / "names.rml.ttl", out
            )
            mapped = subprocess.run([python, "-m", "morph_kgc", config], cwd=data, capture_output=True, text=True)
            if mapped.returncode != 0 or not out.exists():
                last = (mapped.stderr.strip().splitlines() or ["?"])[-1]
                morph, load, triples = f"fails: `{last[:90]}`", "not run", ""
            else:
                morph = "exit 0"
                store = Path(tmp) / "store"
                loaded = subprocess.run(
                    [oxigraph, "load", "--location", store, "--file", data / "ontology.ttl", data / "dataset.ttl", out],
                    capture_output=True, text=True,
                )
                if loaded.returncode != 0:
                    line = next((l for l in loaded.stderr.splitlines() if "rror" in l), "?")
                    load, triples = f"fails: `{line.strip()[:90]}`", ""
                else:
                    load = "exit 0"
                    count = subprocess.run(
                        [oxigraph, "query", "--location", store, "--query",
                         "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--results-format", "tsv"],
                        capture_output=True, text=True, check=True,
                    ).stdout.splitlines()[1]
                    triples = count.split("^^")[0].strip('"')
            expected = (case / "expected.txt").read_text().splitlines()
            verdict = f"refused: {expected[-1].removeprefix('error: ')}"
            print(f"| {case.name} | {verdict} | {morph} | {load} | {triples} |", flush=True)


if __name__ == "__main__":
    main()
