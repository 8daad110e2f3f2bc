#!/usr/bin/env bash
# Prints a Java classpath for Debian's Apache Jena 4.5 (libapache-jena-java) and its
# dependencies, for `java -cp "$(bash jena-classpath.sh DIR)" arq.sparql ...` or
# `shacl.shacl validate ...`.
#
# Debian's jena-core.jar moves Jena's bundled Xerces classes to the package `xerces.*` but
# leaves their message bundles under `org/apache/jena/ext/xerces/`; the regular-expression
# parser then cannot load its bundle, the built-in XSD types fail their pattern facets, and
# every command stops at start-up with `RuntimeException: internal error` in
# `XSSimpleTypeDecl.applyFacets1` (seen with 4.5.0-2 on Debian 12). The bundles are copied to
# where the moved classes look, in DIR/jena-bundles, which goes first on the classpath.
# Usage: jena-classpath.sh DIR
set -euo pipefail
dir="$1/jena-bundles"
if [ ! -d "$dir/xerces" ]; then
  mkdir -p "$dir"
  python3 - "$dir" <<'PY'
import sys, zipfile
from pathlib import Path
prefix = "org/apache/jena/ext/xerces/"
with zipfile.ZipFile("/usr/share/java/jena-core.jar") as jar:
    for name in jar.namelist():
        if name.startswith(prefix) and name.endswith(".properties"):
            target = Path(sys.argv[1], "xerces", name[len(prefix):])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(jar.read(name))
PY
fi
classpath="$dir"
for jar in /usr/share/java/jena-*.jar; do
  case "$jar" in *-[0-9]*.jar) continue ;; esac  # the unversioned links only
  classpath="$classpath:$jar"
done
for package in libcommons-cli-java libcommons-codec-java libcommons-compress-java \
  libcommons-csv-java libcommons-io-java libcommons-lang3-java libdexx-java \
  libgoogle-gson-java libguava-java libhttpclient-java libhttpcore-java \
  libjackson2-core-java libjackson2-databind-java libjackson2-annotations-java \
  libjsonld-java libjsonp2-java libprotobuf-java libthrift-java libtitanium-json-ld-java \
  libcaffeine-java; do
  for jar in $(dpkg -L "$package" 2>/dev/null | grep '\.jar$'); do
    [ -L "$jar" ] || classpath="$classpath:$jar"
  done
done
echo "$classpath:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar"
