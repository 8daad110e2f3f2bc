"""Reconciliation under load: batches of 10 queries, as OpenRefine sends them, POSTed as a
form to `/reconcile` of a running `histkg serve`, by C client threads for D seconds.

The names are drawn (with a fixed seed) from the data's actors.csv: English labels, Russian
labels and variants, a third with a typo (one letter dropped), so that exact keys, close keys
and misses are all scored. Prints the batches and queries per second and the latency of a
batch (median, 90th percentile), after one warm-up batch (which builds the index of names
for the generation; its time is printed apart).

    python bench/reconcile.py PORT DATA_DIR [CONNECTIONS] [SECONDS]
"""

import csv
import json
import random
import statistics
import sys
import threading
import time
import http.client
import urllib.parse


def names(data_dir):
    out = []
    with open(f"{data_dir}/actors.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out += [row["label_en"], row["label_ru"]]
            out += [v.split("@")[0].strip() for v in row.get("alt_labels", "").split("|") if v.strip()]
    return [n for n in out if n]


def batches(pool, seed, n):
    rng = random.Random(seed)
    for _ in range(n):
        queries = {}
        for i in range(10):
            name = rng.choice(pool)
            if rng.random() < 1 / 3 and len(name) > 3:
                cut = rng.randrange(len(name))
                name = name[:cut] + name[cut + 1:]
            queries[f"q{i}"] = {"query": name, "limit": 3}
        yield urllib.parse.urlencode({"queries": json.dumps(queries)})


def main():
    port, data_dir = int(sys.argv[1]), sys.argv[2]
    connections = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
    pool = names(data_dir)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def post(conn, body):
        conn.request("POST", "/reconcile", body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise SystemExit(f"/reconcile answered {r.status}: {data[:200]!r}")
        answers = json.loads(data)
        assert len(answers) == 10, answers

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    post(conn, next(batches(pool, 0, 1)))
    first = time.perf_counter() - start
    latencies, lock = [], threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(seed):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for body in batches(pool, seed, 10**9):
            if time.perf_counter() >= deadline:
                return
            t = time.perf_counter()
            post(c, body)
            with lock:
                latencies.append(time.perf_counter() - t)

    threads = [threading.Thread(target=client, args=(i + 1,)) for i in range(connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - began
    lat = sorted(latencies)
    print(json.dumps({
        "connections": connections,
        "names": len(pool),
        "first_batch_ms": round(first * 1000, 1),
        "batches": len(lat),
        "batches_per_s": round(len(lat) / took, 1),
        "queries_per_s": round(10 * len(lat) / took, 1),
        "median_ms": round(statistics.median(lat) * 1000, 2),
        "p90_ms": round(lat[int(0.9 * (len(lat) - 1))] * 1000, 2),
    }))


if __name__ == "__main__":
    main()
