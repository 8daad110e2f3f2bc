#!/usr/bin/env bash
# `histkg check` with and without source criticism, side by side (issue 14): runs each
# binary given on the same data, interleaved, ROUNDS times (default 5), and prints each run
# and then, per binary, the median and the fastest of the elapsed times and of peak memory.
#
#   bench/criticism.sh DATA_DIR ROUNDS BIN...
#
# The binaries compared in BENCHMARKS.md: histkg at commit 33a60f2 (before findings), this
# checkout with the observer switched off (BENCHMARKS.md gives the three-line patch), and
# this checkout. Make the data with `examples/synth.rs --relations N --out DIR` and copy
# data/ontology.ttl and data/dataset.ttl into it. Time on these shared 2-core VMs varies by
# up to a third from run to run: compare medians and minima of interleaved runs, not one
# run.
set -euo pipefail
DATA="${1:?usage: bench/criticism.sh DATA_DIR ROUNDS BIN...}"
ROUNDS="${2:?usage: bench/criticism.sh DATA_DIR ROUNDS BIN...}"
shift 2
[ "$#" -ge 1 ] || { echo "give at least one histkg binary" >&2; exit 2; }
RUNS="$(mktemp)"
trap 'rm -f "$RUNS"' EXIT
for _ in $(seq "$ROUNDS"); do
  for bin in "$@"; do
    /usr/bin/time -f "$bin %e %M" "$bin" check --data "$DATA" 2>&1 >/dev/null | tail -1 | tee -a "$RUNS"
  done
done
echo
echo "| binary | median s | fastest s | median peak kB |"
echo "|---|---:|---:|---:|"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for bin in "$@"; do
  times="$(grep -F "$bin " "$RUNS" | awk '{ print $2 }')"
  peaks="$(grep -F "$bin " "$RUNS" | awk '{ print $3 }')"
  echo "| $bin | $(median <<<"$times") | $(sort -n <<<"$times" | head -1) | $(median <<<"$peaks") |"
done
