#!/usr/bin/env bash
# Soak (issue 6, item 6; RELIABILITY.md): after a warm-up, REQUESTS (default 100 000) requests
# over a mix of routes (entity pages in HTML, Turtle and JSON-LD, SPARQL, search, home) must
# all answer 200, and the server's resident memory may grow by at most 1 MB (1024 kB).
# Loopback only. Usage: tests/reliability/soak.sh PATH/TO/histkg [REQUESTS]
set -euo pipefail
histkg="$1"
requests="${2:-100000}"
source "$(dirname "$0")/../lib.sh"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
serve_store --timeout 5
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$server/status"; }
run() { # run N: at least N requests on 4 connections, in runs of 10 s
  local total=0 answers
  while [ "$total" -lt "$1" ]; do
    wrk -t2 -c4 -d10s -s "$root/tests/reliability/soak.lua" "http://127.0.0.1:$port" >"$work/wrk.txt" 2>&1
    if grep -qE 'Non-2xx|Socket errors' "$work/wrk.txt" || ! grep -q ', 0 not 200' "$work/wrk.txt"; then
      cat "$work/wrk.txt" >&2
      echo "errors under load" >&2
      exit 1
    fi
    answers=$(sed -n 's/^soak: \([0-9]*\) answers.*/\1/p' "$work/wrk.txt")
    [ -n "$answers" ] && [ "$answers" -gt 0 ] || { cat "$work/wrk.txt" >&2; exit 1; }
    total=$((total + answers))
  done
  echo "$total"
}
run 20000 >/dev/null # warm-up: thread pools, caches and allocator arenas reach their size
before=$(rss)
start=$(date +%s)
done_requests=$(run "$requests")
after=$(rss)
growth=$((after - before))
echo "soak: RSS ${before} kB after warm-up, ${after} kB after $done_requests requests, all 200 ($(( $(date +%s) - start )) s): growth ${growth} kB (limit 1024 kB)"
[ "$growth" -le 1024 ] || { echo "resident memory grew by ${growth} kB" >&2; exit 1; }
