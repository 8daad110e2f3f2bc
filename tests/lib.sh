# Sourced by the real-socket test scripts (tests/interop/*.sh, tests/browser/run.sh) after
# `histkg=PATH/TO/histkg`: sets $root (the checkout, also the working directory), $work (a
# temporary directory; the caller's EXIT trap removes it) and a random loopback $port, builds
# the shipped data into $work/store, and defines wait_http.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
# Below Linux's ephemeral range (32768-60999), where an outgoing connection may hold a port
# (one CI run lost Virtuoso's SQL port, 34056, that way); a script may use port + 1 too.
port=$((20000 + RANDOM % 12000))
cd "$root"
"$histkg" build --data data --store "$work/store" >/dev/null 2>"$work/build.err" \
  || { cat "$work/build.err" >&2; exit 1; }

# wait_http URL [SECONDS]: waits up to SECONDS (5) for URL to answer; fails if it never does.
wait_http() {
  for _ in $(seq $((${2:-5} * 10))); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "no answer from $1 after ${2:-5} s" >&2
  return 1
}

# serve_store [ARGS...]: starts `histkg serve` on $work/store at $port with ARGS (stderr in
# $work/serve.log), sets $server, stops it and removes $work on exit, and waits for it.
serve_store() {
  "$histkg" serve --store "$work/store" --bind "127.0.0.1:$port" "$@" 2>"$work/serve.log" &
  server=$!
  trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
  wait_http "http://127.0.0.1:$port/"
}
