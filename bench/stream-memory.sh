#!/usr/bin/env bash
# Peak memory of the read side's streams, beside `histkg export` of the same graph (issue 13):
# every export format, `GET /graph.nt` from `histkg serve` (the server's peak after the
# download, and its peak before), and `histkg publish` (pages, entity documents, six dumps).
#
#   bench/stream-memory.sh 100k            # prints a Markdown table; about 40 minutes at 100k
#
# Peak resident memory is /usr/bin/time's %M (maximum RSS) for commands and VmHWM for the
# server. Scratch data goes to $HISTKG_BENCH_WORK (default /tmp/histkg-bench/SIZE-memory),
# kept between runs so the synthetic data is made and built once. Memory, not time, is what
# this reports: the durations are there to show the runs finished.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${1:?usage: bench/stream-memory.sh SIZE (10k, 100k, 1m)}"
case "$SIZE" in
  *k) RELATIONS=$((${SIZE%k} * 1000)) ;;
  *m) RELATIONS=$((${SIZE%m} * 1000000)) ;;
  *) RELATIONS=$SIZE ;;
esac
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/histkg-target}"
PROFILE="${HISTKG_BENCH_PROFILE:-release}"
cargo build --profile "$PROFILE" --locked --bin histkg --example synth -q
BIN="$CARGO_TARGET_DIR/$PROFILE/histkg"
WORK="${HISTKG_BENCH_WORK:-/tmp/histkg-bench/$SIZE-memory}"
mkdir -p "$WORK"
if [ ! -f "$WORK/data/relations.csv" ]; then
  "$CARGO_TARGET_DIR/$PROFILE/examples/synth" --relations "$RELATIONS" --out "$WORK/data" >/dev/null
  cp data/ontology.ttl data/dataset.ttl "$WORK/data/"
fi
if [ ! -f "$WORK/store/CURRENT" ]; then
  "$BIN" build --data "$WORK/data" --store "$WORK/store" >/dev/null
fi

peak() { # command... -> "seconds kB"
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>&1
  cat "$WORK/time"
}
row() { printf '| %s | %s | %s |\n' "$1" "$3" "$2"; }

echo "| what ($SIZE relations, profile $PROFILE) | peak RSS (kB) | seconds |"
echo "|---|---|---|"
for format in ntriples turtle nquads trig jsonld rdfxml; do
  read -r seconds kb < <(peak "$BIN" export --store "$WORK/store" --format "$format" -o "$WORK/export.out")
  row "histkg export --format $format" "$seconds" "$kb"
done
rm -f "$WORK/export.out"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --store "$WORK/store" --bind "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/sparql?query=ASK%7B%7D" && break; sleep 0.1; done
before=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
start=$(date +%s.%N)
curl -sf -o "$WORK/graph.nt" "http://127.0.0.1:$port/graph.nt"
seconds=$(python3 -c "import time; print(round(time.time() - $start, 2))")
row "histkg serve: GET /graph.nt ($(stat -c %s "$WORK/graph.nt") bytes; $before kB before)" "$seconds" "$(awk '/VmHWM/ {print $2}' "/proc/$server/status")"
kill $server
rm -f "$WORK/graph.nt"

rm -rf "$WORK/site"
read -r seconds kb < <(peak "$BIN" publish --store "$WORK/store" --out "$WORK/site")
row "histkg publish ($(find "$WORK/site" -type f | wc -l) files)" "$seconds" "$kb"
rm -rf "$WORK/site"
