#!/usr/bin/env python3
"""Side-by-side benchmark of histkg and the oxigraph CLI on the same synthetic data.

Run it through bench/run.sh, which builds the binaries and installs the tools. For one size it
runs histkg (A) and the baseline (B) alternately, A B A B, and reports for each measure the
median of the per-pair ratios A/B with their min-max. Machines are noisy: only these ratios,
measured in one run, are meant to be compared.

Measures (see BENCHMARKS.md):
  build     histkg build of the CSV    vs oxigraph load of histkg's own N-Triples export
  export    histkg export --format F   vs oxigraph dump of the same store (F = nt, ttl, jsonld)
  query     histkg query FILE          vs oxigraph query on the same store (bench/queries/*.rq)
  endpoint  wrk against histkg serve   vs oxigraph serve-read-only on the same store
  pipeline  histkg build of the CSV    vs Morph-KGC (RML) mapping the CSV + oxigraph load of
            its N-Triples, with the two triple sets compared (bench/pipeline.py)
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pipeline

HERE = Path(__file__).resolve().parent
ENTITY = "https://example.org/histkg/actor/actor-7"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{ENTITY}> ?p ?o }}"

# Targets from issue 5, as (kind, bound): "max" means ratio <= bound, "min" ratio >= bound.
TARGETS = {
    "build time": ("max", 0.85),
    "build peak RSS": ("max", 1.0),
    "export": ("min", 1.0),
    "export ttl": ("min", 0.8),
    "query": ("max", 1.0),
    "requests/s": ("min", 1.0),
    "p99": ("max", 1.0),
    # Issue 19: histkg against Morph-KGC + oxigraph load (bench/pipeline.py).
    "pipeline": ("max", 1.0),
    "pipeline RSS": ("max", 1.0),
}


def run(cmd, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (wall seconds, peak RSS in MB). Fails loudly on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    # Drain stderr while waiting so a chatty tool cannot block on a full pipe.
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{stderr.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024


class Report:
    def __init__(self):
        self.rows = []

    def add(self, measure, unit, a, b, target_key, invert=False):
        """a, b: per-pair values for histkg and oxigraph. invert: compare b/a (throughput)."""
        ratios = [(y / x if invert else x / y) for x, y in zip(a, b) if x and y]
        med, lo, hi = statistics.median(ratios), min(ratios), max(ratios)
        kind, bound = TARGETS[target_key]
        met = med <= bound if kind == "max" else med >= bound
        row = {
            "measure": measure,
            "unit": unit,
            "histkg": statistics.median(a),
            "oxigraph": statistics.median(b),
            "ratio": med,
            "min": lo,
            "max": hi,
            "pairs": len(ratios),
            "target": f"{'≤' if kind == 'max' else '≥'} {bound}",
            "met": met,
        }
        self.rows.append(row)
        print(
            f"  {measure:<34} histkg {row['histkg']:>10.3f} {unit:<6} oxigraph {row['oxigraph']:>10.3f} "
            f"ratio {med:.2f} ({lo:.2f}-{hi:.2f}) target {row['target']} {'met' if met else 'NOT MET'}",
            flush=True,
        )

    def markdown(self):
        out = [
            "| measure | histkg (median) | baseline (median) | ratio histkg/baseline, median (min-max) | target | met |",
            "|---|---:|---:|---:|---|---|",
        ]
        for r in self.rows:
            out.append(
                f"| {r['measure']} | {r['histkg']:.3f} {r['unit']} | {r['oxigraph']:.3f} {r['unit']} "
                f"| **{r['ratio']:.2f}** ({r['min']:.2f}-{r['max']:.2f}) | {r['target']} | {'yes' if r['met'] else 'no'} |"
            )
        return "\n".join(out)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"server did not open port {port}")


def parse_duration_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url, connections, seconds, script=None):
    """Runs wrk; returns (requests/s, p50 ms, p99 ms, errors). With `script` (a list: the Lua
    file, then its arguments), the script makes the requests and `url` is the server's root."""
    cmd = [
        "wrk",
        "-t", str(min(connections, 2)),
        "-c", str(connections),
        "-d", f"{seconds}s",
        "--latency",
        "-H", "Accept: application/sparql-results+json",
    ]
    if script:
        cmd += ["-s", script[0], url, "--", *script[1:]]
    else:
        cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = parse_duration_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = parse_duration_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(g) for g in m.groups())
    return rps, p50, p99, errors


def relation_count(size):
    """The number of relations a size such as 10k, 100k or 1m stands for (as synth reads it)."""
    m = re.fullmatch(r"(\d+)([km]?)", size.lower())
    return int(m.group(1)) * {"": 1, "k": 1000, "m": 1000000}[m.group(2)]


def count_triples(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def versions(args):
    def first_line(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(open("/proc/meminfo").readline().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "kernel": platform.release(),
        "histkg": first_line([args.histkg, "--version"]),
        "histkg_profile": args.profile,
        "oxigraph": first_line([args.oxigraph, "--version"]),
        "wrk": first_line(["wrk", "-v"]),
        "python": platform.python_version(),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", required=True, help="relations: 10k, 100k, 1m")
    p.add_argument("--pairs", type=int, help="A/B pairs per measure (default 5, 3 at 1m)")
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    p.add_argument("--connections", default="1,4,16")
    p.add_argument("--histkg", required=True)
    p.add_argument("--profile", default="release", help="the Cargo profile histkg was built with")
    p.add_argument("--synth", required=True)
    p.add_argument("--oxigraph", required=True)
    p.add_argument("--work", required=True, help="scratch directory (data, stores, dumps)")
    p.add_argument("--out", required=True, help="directory for SIZE.md and SIZE.json")
    p.add_argument("--morph-python", help="the Python of a venv with Morph-KGC (for --only pipeline)")
    p.add_argument("--jena-classpath", help="Apache Jena's classpath: adds SHACL validation to the pipeline")
    p.add_argument("--only", default="build,export,query,endpoint,pipeline")
    args = p.parse_args()
    pairs = args.pairs or (3 if args.size.lower() in ("1m", "1000k", "1000000") else 5)
    phases = set(args.only.split(","))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    report = Report()
    info = versions(args)
    info.update(size=args.size, pairs=pairs, wrk_seconds=args.duration)
    print(f"histkg benchmark, size {args.size}, {pairs} pairs: {json.dumps(info)}", flush=True)

    data = work / "data"
    if not (data / "participants.csv").exists():
        print("generating synthetic data", flush=True)
        run([args.synth, "--relations", args.size, "--out", data])
    store = work / "histkg-store"
    # The store every read-side measure uses, and the N-Triples both builds contain.
    nt = work / "data.nt"
    if not (store / "CURRENT").exists():
        run([args.histkg, "build", "--data", data, "--store", store])
    if not nt.exists():
        run([args.histkg, "export", "--store", store, "--format", "ntriples", "-o", nt])
    triples = count_triples(nt)
    info["triples"] = triples
    info["csv_bytes"] = sum(f.stat().st_size for f in data.glob("*.csv"))
    info["nt_bytes"] = nt.stat().st_size
    generation = store / (store / "CURRENT").read_text().strip()
    print(f"{triples} triples; store {generation}", flush=True)

    if "build" in phases:
        print("build", flush=True)
        times, rss, optimized = ([], []), ([], []), []
        for _ in range(pairs):
            for i, cmd in enumerate(
                [
                    lambda d: [args.histkg, "build", "--data", data, "--store", d],
                    lambda d: [args.oxigraph, "load", "--location", d, "--file", nt],
                ]
            ):
                target = work / f"build-{i}"
                shutil.rmtree(target, ignore_errors=True)
                wall, peak = run(cmd(target))
                times[i].append(wall)
                rss[i].append(peak)
                if i == 1:
                    # `histkg build` waits for RocksDB to compact what it ingested before it
                    # publishes; `oxigraph load` leaves that to `oxigraph optimize`.
                    optimized.append(wall + run([args.oxigraph, "optimize", "--location", target])[0])
                shutil.rmtree(target, ignore_errors=True)
        report.add("build time", "s", *times, "build time")
        report.add("build time vs load + optimize", "s", times[0], optimized, "build time")
        report.add("build peak RSS", "MB", *rss, "build peak RSS")
        target = work / "build-budget"
        shutil.rmtree(target, ignore_errors=True)
        wall, peak = run([args.histkg, "build", "--data", data, "--store", target, "--memory-mb", "512"])
        shutil.rmtree(target, ignore_errors=True)
        info["build_memory_mb_512"] = {"seconds": wall, "peak_rss_mb": peak}
        print(f"  histkg build --memory-mb 512: {wall:.2f} s, peak RSS {peak:.0f} MB", flush=True)

    if "export" in phases:
        print("export", flush=True)
        for name, ours, theirs in [
            ("N-Triples", "ntriples", "nt"),
            ("Turtle", "turtle", "ttl"),
            ("JSON-LD", "jsonld", "jsonld"),
        ]:
            times = ([], [])
            for _ in range(pairs):
                out = work / f"export.{theirs}"
                times[0].append(run([args.histkg, "export", "--store", store, "--format", ours, "-o", out])[0])
                out.unlink()
                times[1].append(
                    run([args.oxigraph, "dump", "--location", generation, "--graph", "default", "--file", out])[0]
                )
                out.unlink()
            key = "export ttl" if theirs == "ttl" else "export"
            report.add(f"export {name} throughput (time ratio inverted)", "s", *times, key, invert=True)

    if "query" in phases:
        print("query", flush=True)
        for q in sorted((HERE / "queries").glob("*.rq")):
            times = ([], [])
            # One untimed run of each first: histkg runs first in every pair, so without it
            # histkg alone would pay for reading the indexes this query needs from disk.
            run([args.histkg, "query", q, "--store", store, "--format", "tsv"])
            run([args.oxigraph, "query", "--location", generation, "--query-file", q, "--results-format", "tsv"])
            for _ in range(pairs):
                times[0].append(run([args.histkg, "query", q, "--store", store, "--format", "tsv"])[0])
                times[1].append(
                    run([args.oxigraph, "query", "--location", generation, "--query-file", q, "--results-format", "tsv"])[0]
                )
            report.add(f"query {q.stem} latency", "s", *times, "query")

    if "endpoint" in phases:
        print("endpoint", flush=True)
        ports = free_port(), free_port()
        servers = [
            subprocess.Popen(
                [args.histkg, "serve", "--store", store, "--bind", f"127.0.0.1:{ports[0]}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [args.oxigraph, "serve-read-only", "--location", generation, "--bind", f"127.0.0.1:{ports[1]}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ),
        ]
        try:
            for port, proc in zip(ports, servers):
                wait_port(port, proc)
            q = urllib.parse.quote(LOOKUP)
            urls = [f"http://127.0.0.1:{ports[0]}/sparql?query={q}", f"http://127.0.0.1:{ports[1]}/query?query={q}"]
            for url in urls:  # warm-up
                wrk(url, 4, 1)
            errors = [0, 0]
            for c in [int(x) for x in args.connections.split(",")]:
                rps, p99 = ([], []), ([], [])
                for _ in range(pairs):
                    for i, url in enumerate(urls):
                        r, _, p, e = wrk(url, c, args.duration)
                        rps[i].append(r)
                        p99[i].append(p)
                        errors[i] += e
                report.add(f"endpoint lookup, {c} conn, requests/s", "req/s", *rps, "requests/s")
                report.add(f"endpoint lookup, {c} conn, p99", "ms", *p99, "p99")
            # Random entities across the whole graph (bench/random-lookup.lua): the same
            # seeded sequence of requests for both servers.
            roots = [f"http://127.0.0.1:{port}" for port in ports]
            paths = ["/sparql", "/query"]
            relations = str(relation_count(args.size))
            lua = str(HERE / "random-lookup.lua")
            for root, path in zip(roots, paths):  # warm-up
                wrk(root, 4, 1, [lua, path, relations, "7"])
            for c in [int(x) for x in args.connections.split(",")]:
                rps, p99 = ([], []), ([], [])
                for n in range(pairs):
                    for i, (root, path) in enumerate(zip(roots, paths)):
                        r, _, p, e = wrk(root, c, args.duration, [lua, path, relations, str(n + 1)])
                        rps[i].append(r)
                        p99[i].append(p)
                        errors[i] += e
                report.add(f"endpoint random lookup, {c} conn, requests/s", "req/s", *rps, "requests/s")
                report.add(f"endpoint random lookup, {c} conn, p99", "ms", *p99, "p99")
            info["endpoint_errors"] = {"histkg": errors[0], "oxigraph": errors[1]}
            print(f"  non-2xx or socket errors: histkg {errors[0]}, oxigraph {errors[1]}", flush=True)
            if errors[0]:
                sys.exit("histkg serve answered errors under load")
        finally:
            for proc in servers:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    if "pipeline" in phases:
        print("pipeline (Morph-KGC + oxigraph load)", flush=True)
        pipeline.measure(args, data, work, pairs, report, info, run)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.size}.json").write_text(json.dumps({"info": info, "rows": report.rows}, indent=2) + "\n")
    md = [
        f"### {args.size} relations: {triples} triples, {pairs} pairs",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, Linux {info['kernel']}. "
        f"{info['histkg']} (Cargo profile `{info['histkg_profile']}`); {info['oxigraph']}; {info['wrk']}.",
        "",
        report.markdown(),
    ]
    if "build_memory_mb_512" in info:
        b = info["build_memory_mb_512"]
        md += ["", f"`histkg build --memory-mb 512`: {b['seconds']:.2f} s, peak RSS {b['peak_rss_mb']:.0f} MB."]
    if "endpoint_errors" in info:
        e = info["endpoint_errors"]
        md += ["", f"Endpoint errors (non-2xx or socket): histkg {e['histkg']}, oxigraph {e['oxigraph']}."]
    if "pipeline_triples" in info:
        t = info["pipeline_triples"]
        md += [
            "",
            f"Pipeline rows: the baseline is {info['pipeline_versions']['morph_kgc']} mapping the CSV "
            "(bench/morph/mapping.yml) plus `oxigraph load` of its N-Triples with ontology.ttl and dataset.ttl. "
            f"Triple sets compared: {t['common']} in both; {t['findings_only_in_histkg']} only in histkg, all "
            "of them findings of source criticism, which the pipeline does not make; "
            f"{sum(t['only_histkg'].values())} other triples only in histkg, {sum(t['only_pipeline'].values())} only in the pipeline.",
        ]
        if "pipeline_shacl" in info:
            v = info["pipeline_shacl"]
            md[-1] += (
                f" Jena SHACL on the pipeline's graph (data/shapes.ttl): conforms {str(v['conforms']).lower()}, "
                f"{v['violations']} violations, {v['warnings']} warnings."
            )
    (out / f"{args.size}.md").write_text("\n".join(md) + "\n")
    print(f"wrote {out / (args.size + '.md')}")


if __name__ == "__main__":
    main()
