#!/usr/bin/env bash
# Starts `histkg serve` on loopback over the shipped data and runs the Chromium test.
# Usage: tests/browser/run.sh PATH/TO/histkg [SCREENSHOTS_DIR]
set -euo pipefail
histkg="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shots="${2:-$(mktemp -d)/screenshots}"
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
site_port=$((port + 1))
cd "$root"
"$histkg" build --data data --store "$work/store" >/dev/null
"$histkg" serve --store "$work/store" --bind "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
"$histkg" publish --store "$work/store" --out "$work/site" >/dev/null
python3 -m http.server "$site_port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
files=$!
trap 'kill $server $files 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
(cd "$here" && npm ci --no-audit --no-fund --silent)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$site_port/" && break; sleep 0.1; done
node "$here/run.mjs" "http://127.0.0.1:$port/" "$shots" "http://127.0.0.1:$site_port/"
