#!/usr/bin/env bash
# Rebuilds under load (issue 6, item 2; RELIABILITY.md): wrk and body-checking clients on
# `histkg serve` while the data is rebuilt REBUILDS times (default 5). Fails on any non-2xx
# answer, socket error or truncated body, on a switch slower than 2 s, or on an old generation
# left behind. Loopback only.
# Usage: tests/reliability/rebuild-under-load.sh PATH/TO/histkg [REBUILDS]
set -euo pipefail
histkg="$1"
rebuilds="${2:-5}"
source "$(dirname "$0")/../lib.sh"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cp -r data "$work/data"
"$histkg" build --data "$work/data" --store "$work/store" >/dev/null
serve_store --timeout 5

wrk -t2 -c8 -d600s -H 'Accept: text/turtle' "http://127.0.0.1:$port/actor/darma-bala" >"$work/wrk.txt" 2>&1 &
wrk=$!
trap 'kill $server $wrk 2>/dev/null; rm -rf "$work"' EXIT
python3 "$root/tests/reliability/rebuild_under_load.py" --histkg "$histkg" --port "$port" \
  --data "$work/data" --store "$work/store" --rebuilds "$rebuilds"
kill -INT $wrk
wait $wrk || true
cat "$work/wrk.txt"
if grep -qE 'Non-2xx|Socket errors' "$work/wrk.txt"; then
  echo "wrk saw errors" >&2
  exit 1
fi
grep -q 'requests in' "$work/wrk.txt" || { echo "wrk did not report" >&2; exit 1; }
grep 'now serving' "$work/serve.log" | sed 's/^/serve: /'
