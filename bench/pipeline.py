"""The second baseline of bench/bench.py: the pipeline a data engineer would assemble instead of
histkg, Morph-KGC (RML, bench/morph/mapping.yml) writing N-Triples that `oxigraph load` puts
into a store, measured against `histkg build` of the same CSV.

Besides the times and the memory of each step, it shows that both give the same triples: the
pipeline's store is dumped and compared with histkg's N-Triples export as sorted sets of lines
(both written by Oxigraph's serializer, so one term has one spelling). The only triples allowed
to differ are the findings of source criticism (`<base>finding/...` subjects), which no mapping
language makes; anything else is a failure of the comparison and stops the benchmark.
"""

import collections
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FINDING = "<https://example.org/histkg/finding/"


def tree_rss_mb(root):
    """The resident memory of process `root` and all its descendants, in MB."""
    children = collections.defaultdict(list)
    rss = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total / 1024 / 1024


def run_tree(cmd, cwd=None, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (wall seconds, peak RSS in MB of the whole process tree, sampled every
    20 ms). Morph-KGC maps in worker processes: the peak of one process would undercount it."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
    peak = [0.0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mb(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read()
    proc.wait()
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{stderr.decode(errors='replace')[-3000:]}")
    return wall, peak[0]


def write_config(work, udfs, mapping, names, output):
    """Morph-KGC's configuration: N-Triples to `output`, our Python functions, and `None` read
    as a missing value (DuckDB's NULLs reach Morph-KGC as the string `None`)."""
    config = work / "morph.ini"
    config.write_text(
        "[CONFIGURATION]\n"
        f"output_file = {output}\n"
        "output_format = N-TRIPLES\n"
        f"udfs = {udfs}\n"
        "na_values = ,nan,None\n"
        "logging_level = WARNING\n"
        "\n[histkg]\n"
        f"mappings = {mapping},{names}\n"
    )
    return config


def sorted_lines(src, dest):
    env = dict(os.environ, LC_ALL="C")
    subprocess.run(["sort", "-u", "-S", "25%", "-o", dest, src], check=True, env=env)


def compare(histkg_nt, pipeline_nt, work):
    """Compares two N-Triples files as sets; returns a dict of counts and, per predicate,
    the triples only one side has (findings apart)."""
    a, b = work / "compare-histkg.nt", work / "compare-pipeline.nt"
    sorted_lines(histkg_nt, a)
    sorted_lines(pipeline_nt, b)
    env = dict(os.environ, LC_ALL="C")
    result = {"common": 0, "findings": 0, "only_histkg": collections.Counter(), "only_pipeline": collections.Counter()}
    examples = {"only_histkg": [], "only_pipeline": []}
    with subprocess.Popen(["comm", str(a), str(b)], stdout=subprocess.PIPE, text=True, env=env) as comm:
        for line in comm.stdout:
            tabs = len(line) - len(line.lstrip("\t"))
            triple = line.lstrip("\t").rstrip("\n")
            if tabs == 2:
                result["common"] += 1
                continue
            side = "only_histkg" if tabs == 0 else "only_pipeline"
            if side == "only_histkg" and triple.startswith(FINDING):
                result["findings"] += 1
                continue
            result[side][triple.split(" ", 2)[1]] += 1
            if len(examples[side]) < 5:
                examples[side].append(triple)
    a.unlink()
    b.unlink()
    result["examples"] = examples
    return result


def measure(args, data, work, pairs, report, info, run):
    """Adds the pipeline's rows to `report` and its details to `info`."""
    morph = work / "morph"
    morph.mkdir(exist_ok=True)
    mapped = morph / "mapped.nt"
    python = Path(args.morph_python)
    config = write_config(morph, HERE / "morph" / "udfs.py", HERE / "morph" / "mapping.yml", HERE / "morph" / "names.rml.ttl", mapped)
    histkg_t, histkg_m = [], []
    map_t, map_m, load_t, load_m, total_t, total_m = [], [], [], [], [], []
    # The pipeline's validator, when Jena is there: SHACL (data/shapes.ttl, the contract
    # histkg's README states) over the mapped triples, as a user of the pipeline would check.
    shapes = HERE.parent / "data" / "shapes.ttl"
    check_t, check_m, checked_t, checked_m = [], [], [], []
    target = work / "pipeline-store"
    for n in range(pairs):
        shutil.rmtree(target, ignore_errors=True)
        wall, peak = run_tree([args.histkg, "build", "--data", data, "--store", target])
        histkg_t.append(wall)
        histkg_m.append(peak)
        shutil.rmtree(target, ignore_errors=True)
        mapped.unlink(missing_ok=True)
        wall_map, peak_map = run_tree([python, "-m", "morph_kgc", config], cwd=data)
        wall_load, peak_load = run_tree(
            [args.oxigraph, "load", "--location", target,
             "--file", data / "ontology.ttl", data / "dataset.ttl", mapped]
        )
        map_t.append(wall_map)
        map_m.append(peak_map)
        load_t.append(wall_load)
        load_m.append(peak_load)
        total_t.append(wall_map + wall_load)
        total_m.append(max(peak_map, peak_load))
        if args.jena_classpath:
            # The shapes need the ontology (the classes of relations and roles): validated is
            # the graph as loaded, the two Turtle files and the mapped N-Triples in one Turtle
            # file (N-Triples is Turtle), put together untimed.
            graph = morph / "graph.ttl"
            with open(graph, "wb") as out:
                for part in (data / "ontology.ttl", data / "dataset.ttl", mapped):
                    with open(part, "rb") as f:
                        shutil.copyfileobj(f, out)
                    out.write(b"\n")
            report_file = morph / "shacl-report.ttl"
            with open(report_file, "wb") as out:
                wall_check, peak_check = run_tree(
                    ["java", "-cp", args.jena_classpath, "shacl.shacl", "validate",
                     "--shapes", shapes, "--data", graph],
                    stdout=out,
                )
            graph.unlink()
            check_t.append(wall_check)
            check_m.append(peak_check)
            checked_t.append(wall_map + wall_load + wall_check)
            checked_m.append(max(peak_map, peak_load, peak_check))
            text = report_file.read_text(errors="replace")
            info["pipeline_shacl"] = {
                "conforms": re.search(r"sh:conforms\s+true", text) is not None,
                "violations": len(re.findall(r"sh:resultSeverity\s+sh:Violation", text)),
                "warnings": len(re.findall(r"sh:resultSeverity\s+sh:Warning", text)),
            }
        if n == 0:
            dump = morph / "pipeline.nt"
            run([args.oxigraph, "dump", "--location", target, "--graph", "default", "--file", dump])
            result = compare(work / "data.nt", dump, work)
            dump.unlink()
            info["pipeline_triples"] = {
                "common": result["common"],
                "findings_only_in_histkg": result["findings"],
                "only_histkg": dict(result["only_histkg"]),
                "only_pipeline": dict(result["only_pipeline"]),
                "examples": result["examples"],
                "mapped_lines": sum(1 for _ in open(mapped, "rb")),
            }
            print(
                f"  triples: {result['common']} in both; findings only in histkg: {result['findings']}; "
                f"other differences: histkg {sum(result['only_histkg'].values())}, "
                f"pipeline {sum(result['only_pipeline'].values())}",
                flush=True,
            )
            if result["only_histkg"] or result["only_pipeline"]:
                for side in ("only_histkg", "only_pipeline"):
                    for p, c in result[side].most_common():
                        print(f"    {side} {p}: {c}", flush=True)
                    for e in result["examples"][side]:
                        print(f"      {e[:300]}", flush=True)
                sys.exit("the pipeline's triples differ from histkg's beyond the findings: see above")
    shutil.rmtree(target, ignore_errors=True)
    mapped.unlink(missing_ok=True)
    report.add("pipeline: build time vs Morph-KGC + oxigraph load", "s", histkg_t, total_t, "pipeline")
    report.add("pipeline: build time vs Morph-KGC alone", "s", histkg_t, map_t, "pipeline")
    report.add("pipeline: build time vs oxigraph load of its output", "s", histkg_t, load_t, "pipeline")
    if check_t:
        report.add("pipeline: build time vs Morph-KGC + load + Jena SHACL", "s", histkg_t, checked_t, "pipeline")
        report.add("pipeline: build time vs Jena SHACL alone", "s", histkg_t, check_t, "pipeline")
    report.add("pipeline: peak RSS vs the pipeline's largest step", "MB", histkg_m, total_m, "pipeline RSS")
    if check_m:
        report.add("pipeline: peak RSS vs Jena SHACL", "MB", histkg_m, check_m, "pipeline RSS")
    report.add("pipeline: peak RSS vs Morph-KGC alone", "MB", histkg_m, map_m, "pipeline RSS")
    report.add("pipeline: peak RSS vs oxigraph load of its output", "MB", histkg_m, load_m, "pipeline RSS")
    info["pipeline_versions"] = {
        "morph_kgc": subprocess.run(
            [python, "-c", "from importlib.metadata import version as v; print('Morph-KGC', v('morph-kgc'), 'DuckDB', v('duckdb'), 'pandas', v('pandas'))"],
            capture_output=True, text=True,
        ).stdout.strip(),
    }
