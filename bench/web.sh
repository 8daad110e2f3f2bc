#!/usr/bin/env bash
# What `serve`'s web conventions save (issue 19, point 3): bytes on the wire for the home
# page, an entity page and the N-Triples dump, plain and gzip-compressed (curl), and
# requests/s and p99 of a full GET against a conditional one that names the ETag (wrk, 10 s
# each, 4 and 16 connections), on a running server.
#
#   bench/web.sh PORT [ENTITY_PATH] [SECONDS]
#
# Start the server first (`histkg serve --store STORE --bind 127.0.0.1:PORT`). Numbers on
# these shared 2-core VMs vary by up to a third from run to run; the ratios are what holds.
set -euo pipefail
PORT="${1:?usage: bench/web.sh PORT [ENTITY_PATH] [SECONDS]}"
ENTITY="${2:-/actor/darma-bala}"
SECONDS_EACH="${3:-10}"
base="http://127.0.0.1:$PORT"
echo "| resource | plain bytes | gzip bytes | gzip / plain |"
echo "|---|---:|---:|---:|"
for path in / "$ENTITY" /graph.nt; do
  plain=$(curl -s -o /dev/null -w '%{size_download}' "$base$path")
  gz=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$base$path")
  echo "| \`$path\` | $plain | $gz | $(awk -v g="$gz" -v p="$plain" 'BEGIN { printf "%.3f", g / p }') |"
done
echo
# wrk sends no Accept header, and the ETag depends on it: ask for it the same way.
etag=$(curl -s -D - -o /dev/null -H 'Accept:' "$base$ENTITY" | awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }')
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept:' -H "If-None-Match: $etag" "$base$ENTITY")
[ "$status" = 304 ] || { echo "If-None-Match $etag answered $status, expected 304" >&2; exit 1; }
run() { # CONNECTIONS HEADER...
  local c="$1"; shift
  local args=()
  for h in "$@"; do args+=(-H "$h"); done
  wrk -t 2 -c "$c" -d "${SECONDS_EACH}s" --latency "${args[@]}" "$base$ENTITY" \
    | awk '/Requests\/sec/ { rps = $2 } /^ +99%/ { p99 = $2 } END { printf "%s | %s", rps, p99 }'
}
echo "| \`$ENTITY\`, $SECONDS_EACH s | connections | requests/s | p99 |"
echo "|---|---:|---:|---:|"
for c in 4 16; do
  echo "| full GET | $c | $(run "$c") |"
  echo "| full GET, gzip | $c | $(run "$c" 'Accept-Encoding: gzip') |"
  echo "| conditional GET (304) | $c | $(run "$c" "If-None-Match: $etag") |"
done
