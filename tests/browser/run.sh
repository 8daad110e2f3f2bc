#!/usr/bin/env bash
# Starts `histkg serve` on loopback over the shipped data and runs the Chromium test.
# Usage: tests/browser/run.sh PATH/TO/histkg [SCREENSHOTS_DIR]
set -euo pipefail
histkg="$1"
here="$(cd "$(dirname "$0")" && pwd)"
shots="${2:-$(mktemp -d)/screenshots}"
source "$here/../lib.sh"
site_port=$((port + 1))
"$histkg" serve --store "$work/store" --bind "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
"$histkg" publish --store "$work/store" --out "$work/site" >/dev/null
python3 -m http.server "$site_port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
files=$!
trap 'kill $server $files 2>/dev/null; rm -rf "$work"' EXIT
wait_http "http://127.0.0.1:$port/"
(cd "$here" && npm ci --no-audit --no-fund --silent)
wait_http "http://127.0.0.1:$site_port/"
node "$here/run.mjs" "http://127.0.0.1:$port/" "$shots" "http://127.0.0.1:$site_port/"
