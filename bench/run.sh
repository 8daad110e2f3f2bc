#!/usr/bin/env bash
# Side-by-side benchmark of histkg and the oxigraph CLI (see BENCHMARKS.md).
#
#   bench/run.sh 100k                 # 5 A/B pairs per measure (3 at 1m), 10 s per wrk run
#   bench/run.sh 10k --pairs 2 --duration 1   # the quick run .ci/run does
#
# Results go to bench/results/SIZE.md and SIZE.json; scratch data to $HISTKG_BENCH_WORK
# (default /tmp/histkg-bench/SIZE), kept between runs so the synthetic data is made once.
#
# histkg is measured as built with the `dist` profile (Cargo.toml: fat LTO, one codegen unit,
# the settings the oxigraph CLI is built with). HISTKG_BENCH_PROFILE=release measures the
# test profile instead; .ci/run does that so CI compiles RocksDB once.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${1:?usage: bench/run.sh SIZE [--pairs N] [--duration S] [--only build,export,query,endpoint,pipeline]}"
shift
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/histkg-target}"
VENV="${HISTKG_VENV:-$HOME/.cache/histkg-venv}"

if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ ! -x "$VENV/bin/oxigraph" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r tests/interop/requirements.txt
fi
# The second baseline (bench/pipeline.py): Morph-KGC in a venv of its own, so that its pandas
# and rdflib never meet the interop checks' pins.
MORPH="${HISTKG_MORPH_VENV:-$HOME/.cache/histkg-morph}"
if [ ! -x "$MORPH/bin/python" ] || ! "$MORPH/bin/python" -c "import morph_kgc" 2>/dev/null; then
  python3 -m venv "$MORPH"
  "$MORPH/bin/pip" install -q -r bench/morph/requirements.txt
fi
# Jena's SHACL validator as the pipeline's last step, where Debian's Jena is installed (.ci/run
# installs it for the interop checks).
JENA=()
if [ -f /usr/share/java/jena-shacl.jar ] && command -v java >/dev/null 2>&1; then
  JENA=(--jena-classpath "$(bash tests/interop/jena-classpath.sh "${HISTKG_BENCH_WORK:-/tmp/histkg-bench}")")
fi
PROFILE="${HISTKG_BENCH_PROFILE:-dist}"
cargo build --profile "$PROFILE" --locked --bin histkg --example synth -q

WORK="${HISTKG_BENCH_WORK:-/tmp/histkg-bench/$SIZE}"
python3 bench/bench.py --size "$SIZE" \
  --histkg "$CARGO_TARGET_DIR/$PROFILE/histkg" --profile "$PROFILE" \
  --synth "$CARGO_TARGET_DIR/$PROFILE/examples/synth" \
  --oxigraph "$VENV/bin/oxigraph" --morph-python "$MORPH/bin/python" "${JENA[@]}" \
  --work "$WORK" --out "${HISTKG_BENCH_OUT:-bench/results}" "$@"
