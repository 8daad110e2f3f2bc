"""Rebuilds under load: while clients hammer `histkg serve`, rebuild the data N times.

Checks (issue 6, item 2): every answer is 2xx with its whole body (Content-Length matches,
SPARQL JSON parses, Turtle ends its last statement, /reconcile gives the same entities first,
issue 15); the server serves each new generation within 2 s of `histkg build` exiting; when
the load stops, only the published generation is left in the store directory. wrk adds volume; these clients check every body.

Usage: python rebuild_under_load.py --histkg BIN --port P --data DIR --store DIR [--rebuilds 5]
"""

import argparse
import http.client
import json
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

SWITCH_LIMIT_S = 2.0
QUERY = "SELECT ?name WHERE { actor:darma-bala rdfs:label ?name } ORDER BY ?name"
# What OpenRefine sends: names in two scripts, one narrowed by a related actor. The index of
# names is made again for each generation; the answers must not change.
RECONCILE = json.dumps({
    "q0": {"query": "Абулхаир", "type": "Person"},
    "q1": {"query": "Galdan-Tseren", "properties": [{"pid": "related", "v": "Аюка"}]},
})
RECONCILED = {"q0": "actor/abulkhair", "q1": "actor/galdan-tseren-son-of-ayuka"}


class Clients:
    def __init__(self, port, n):
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok = 0
        self.failures = []
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(n)]

    def fail(self, what):
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(what)

    def run(self, i):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        sparql = "/sparql?query=" + urllib.parse.quote(QUERY)
        reconcile = "/reconcile?" + urllib.parse.urlencode({"queries": RECONCILE})
        while not self.stop.is_set():
            path, accept = [
                ("/actor/darma-bala", "text/turtle"),
                (sparql, "application/sparql-results+json"),
                (reconcile, "application/json"),
            ][i % 3]
            try:
                conn.request("GET", path, headers={"Accept": accept})
                r = conn.getresponse()
                body = r.read()
            except Exception as e:  # a reset or a timeout is a failure too
                self.fail(f"{path}: {e!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                continue
            length = r.getheader("Content-Length")
            if r.status // 100 != 2:
                self.fail(f"{path}: status {r.status}: {body[:200]!r}")
            elif length is not None and int(length) != len(body):
                self.fail(f"{path}: {len(body)} bytes, Content-Length {length}")
            elif path == reconcile:
                try:
                    answers = json.loads(body)
                    firsts = {k: answers[k]["result"][0]["id"] for k in RECONCILED}
                    assert firsts == RECONCILED, firsts
                    assert answers["q0"]["result"][0]["match"] is True
                except Exception as e:
                    self.fail(f"/reconcile: bad answer: {e!r}: {body[:200]!r}")
                    continue
                with self.lock:
                    self.ok += 1
            elif accept.endswith("json"):
                try:
                    names = [b["name"]["value"] for b in json.loads(body)["results"]["bindings"]]
                    assert names == ["Darma-Bala", "Дарма-Бала"], names
                except Exception as e:
                    self.fail(f"{path}: bad JSON results: {e!r}")
                    continue
                with self.lock:
                    self.ok += 1
            elif not body.rstrip().endswith(b".") or b"darma-bala" not in body:
                self.fail(f"{path}: truncated Turtle: ...{body[-80:]!r}")
            else:
                with self.lock:
                    self.ok += 1


def generations(store):
    return sorted(p.name for p in Path(store).iterdir() if p.is_dir() and p.name.startswith("gen-"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--histkg", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--rebuilds", type=int, default=5)
    args = p.parse_args()
    dataset = Path(args.data) / "dataset.ttl"
    original = dataset.read_text()
    title = re.search(r'dcterms:title "([^"]*)"@en', original).group(1)

    clients = Clients(args.port, 6)
    for t in clients.threads:
        t.start()
    time.sleep(1)
    latencies = []
    for i in range(1, args.rebuilds + 1):
        marked = f"{title} (build {i})"
        dataset.write_text(original.replace(f'"{title}"@en', f'"{marked}"@en', 1))
        subprocess.run(
            [args.histkg, "build", "--data", args.data, "--store", args.store],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        published = time.monotonic()
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            conn.request("GET", "/", headers={"Accept": "text/html"})
            page = conn.getresponse().read().decode()
            conn.close()
            waited = time.monotonic() - published
            if marked in page:
                break
            if waited > 10:
                sys.exit(f"build {i}: the server still serves the old generation after 10 s")
            time.sleep(0.02)
        latencies.append(waited)
        print(f"build {i}: served {waited * 1000:.0f} ms after it was published; generations {generations(args.store)}")
        time.sleep(0.5)
    clients.stop.set()
    for t in clients.threads:
        t.join()
    # Once no request holds an old generation, the server's watcher removes it.
    deadline = time.monotonic() + 3
    while len(generations(args.store)) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    left = generations(args.store)
    current = (Path(args.store) / "CURRENT").read_text().strip()
    print(f"{clients.ok} checked answers, {len(clients.failures)} failures; worst switch {max(latencies) * 1000:.0f} ms; left {left}")
    problems = []
    if clients.failures:
        problems.append("failed answers:\n  " + "\n  ".join(clients.failures))
    if max(latencies) > SWITCH_LIMIT_S:
        problems.append(f"a switch took {max(latencies):.2f} s (limit {SWITCH_LIMIT_S} s)")
    if left != [current]:
        problems.append(f"old generations left behind: {left} (published {current})")
    if clients.ok == 0:
        problems.append("no answer was checked")
    if problems:
        sys.exit("\n".join(problems))


if __name__ == "__main__":
    main()
