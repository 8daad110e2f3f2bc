#!/usr/bin/env bash
# The static site behind a real nginx, with the sample configuration `histkg publish` writes
# (nginx.conf): entity URLs answered by Accept (HTML, Turtle, N-Triples, JSON-LD, BibLaTeX),
# 406 for what the site does not hold, the dumps sent as the graph.*.gz that `publish --gzip`
# wrote (gzip_static) to clients that accept gzip, and pages compressed on the fly. A private
# nginx on loopback, its prefix and configuration in a temporary directory; never the system
# service.
# Usage: tests/interop/nginx.sh PATH/TO/histkg   (nginx on PATH or in /usr/sbin)
set -euo pipefail
histkg="$1"
source "$(dirname "$0")/../lib.sh"
nginx=$(command -v nginx || echo /usr/sbin/nginx)
site="$work/site"
"$histkg" publish --store "$work/store" --out "$site" --gzip >/dev/null
# The sample is a server block for the http context: give it this site, this port, and a
# main configuration of its own.
sed -e "s|root /srv/histkg-site;|root $site;|" -e "s|listen 80;|listen 127.0.0.1:$port;|" \
  "$site/nginx.conf" > "$work/site.conf"
mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
error_log $work/nginx/logs/error.log;
pid $work/nginx/nginx.pid;
events {}
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    include $work/site.conf;
}
CONF
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
wait_http "http://127.0.0.1:$port/"
url="http://127.0.0.1:$port"

check() { # WHAT EXPECTED ACTUAL
  [ "$2" = "$3" ] || { echo "nginx: $1: got '$3', expected '$2'" >&2; cat "$work/nginx/logs/error.log" >&2; exit 1; }
}
get() { # ACCEPT PATH -> "status media-type" (nginx adds a charset to text/html only)
  curl -s -o "$work/body" -w '%{http_code} %{content_type}' -H "Accept: $1" "$url$2" | cut -d';' -f1
}
check "an entity for a browser" "200 text/html" "$(get 'text/html,*/*;q=0.8' /actor/darma-bala)"
grep -q "<h1>Darma-Bala</h1>" "$work/body" || { echo "nginx: not the entity page:" >&2; head -c 300 "$work/body" >&2; exit 1; }
check "an entity as Turtle" "200 text/turtle" "$(get text/turtle /actor/darma-bala)"
cmp -s "$work/body" "$site/actor/darma-bala/index.ttl" || { echo "nginx: the Turtle is not index.ttl" >&2; exit 1; }
check "an entity as N-Triples" "200 application/n-triples" "$(get application/n-triples /actor/darma-bala/)"
check "an entity as JSON-LD" "200 application/ld+json" "$(get application/ld+json /event/report-donryung-1741)"
sources=("$site"/source/*/)
source_id=$(basename "${sources[0]}")
check "a source as BibLaTeX" "200 application/x-bibtex" "$(get application/x-bibtex "/source/$source_id")"
check "a format the site does not hold" "406" "$(get image/png /actor/darma-bala | cut -d' ' -f1)"
vary=$(curl -s -D - -o /dev/null -H 'Accept: text/turtle' "$url/actor/darma-bala" | tr -d '\r' | awk 'tolower($1) == "vary:" { print $2 }' | paste -sd' ')
case "$vary" in *Accept*) ;; *) echo "nginx: no Vary: Accept on an entity ($vary)" >&2; exit 1 ;; esac

# The dump: the precompressed file itself to a client that accepts gzip, the plain one otherwise.
curl -s -D "$work/gz.headers" -o "$work/graph.nt.gz" -H 'Accept-Encoding: gzip' "$url/graph.nt"
grep -qi '^content-encoding: gzip' "$work/gz.headers" || { echo "nginx: the dump was not sent compressed" >&2; exit 1; }
cmp -s "$work/graph.nt.gz" "$site/graph.nt.gz" || { echo "nginx: the dump sent is not graph.nt.gz" >&2; exit 1; }
curl -s -o "$work/graph.nt" "$url/graph.nt"
cmp -s "$work/graph.nt" "$site/graph.nt" || { echo "nginx: the plain dump differs" >&2; exit 1; }
# A page compressed on the fly decodes to the file.
curl -s --compressed -D "$work/page.headers" -o "$work/index.html" "$url/"
grep -qi '^content-encoding: gzip' "$work/page.headers" || { echo "nginx: the home page was not compressed" >&2; exit 1; }
cmp -s "$work/index.html" "$site/index.html" || { echo "nginx: the home page differs" >&2; exit 1; }
echo "nginx $("$nginx" -v 2>&1 | sed 's|.*/||'): entity pages by Accept (HTML, Turtle, N-Triples, JSON-LD, BibLaTeX; 406 otherwise); graph.nt.gz sent as is ($(wc -c < "$site/graph.nt.gz") bytes for $(wc -c < "$site/graph.nt")); the home page gzip on the fly"
