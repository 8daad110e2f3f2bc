#!/usr/bin/env bash
# Hostile HTTP (issue 6, item 4; RELIABILITY.md): raw-socket requests against `histkg serve
# --timeout 2` on loopback: slow queries (503 in time, CPU idle after), slow queries beside
# lookups, oversized body / URL / headers, bad Accept, path traversal, methods, updates,
# SERVICE and LOAD without outbound connections, many idle connections. One line per check
# with what it measured; fails on any failed check. Every wait is bounded.
# Usage: tests/reliability/hostile-http.sh PATH/TO/histkg
set -euo pipefail
histkg="$1"
source "$(dirname "$0")/../lib.sh"
serve_store --timeout 2
status=0
timeout 300 python3 "$root/tests/reliability/hostile_http.py" --port "$port" --pid "$server" --timeout 2 || status=$?
if [ "$status" -ne 0 ]; then
  sed 's/^/serve: /' "$work/serve.log" | tail -20 >&2
fi
exit "$status"
