# Sourced after tests/lib.sh: start_virtuoso starts a private Virtuoso 7 (Debian's
# virtuoso-opensource-7-bin) on loopback, with its own ini and database in $work/virtuoso,
# never the system service; sets $http (its HTTP port), $sql (its SQL port) and $virtuoso
# (its pid), and stops it on exit. The SPARQL user may update, so the unauthenticated
# endpoints write too; `dba` (password `dba`, a private instance's default) signs in on the
# authenticated ones.
start_virtuoso() {
  # A port another process took between the choice and the start: try two other pairs.
  for attempt in 1 2 3; do
    if start_virtuoso_once; then
      return 0
    fi
    kill "$virtuoso" 2>/dev/null || true
    wait "$virtuoso" 2>/dev/null || true
    echo "Virtuoso did not start on $http/$sql (attempt $attempt):" >&2
    tail -3 "$work/virtuoso/virtuoso.log" >&2
    rm -rf "$work/virtuoso"
    port=$((20000 + RANDOM % 12000))
  done
  echo "Virtuoso did not start" >&2
  exit 1
}

start_virtuoso_once() {
  http=$port
  sql=$((port + 1))
  mkdir -p "$work/virtuoso"
  cat > "$work/virtuoso/virtuoso.ini" <<INI
[Database]
DatabaseFile = $work/virtuoso/virtuoso.db
ErrorLogFile = $work/virtuoso/virtuoso.log
LockFile = $work/virtuoso/virtuoso.lck
TransactionFile = $work/virtuoso/virtuoso.trx
xa_persistent_file = $work/virtuoso/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $work/virtuoso/virtuoso-temp.db
TransactionFile = $work/virtuoso/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$sql
DisableUnixSocket = 1
NumberOfBuffers = ${VIRTUOSO_BUFFERS:-20000}
MaxDirtyBuffers = ${VIRTUOSO_DIRTY_BUFFERS:-15000}
DirsAllowed = ., $work/virtuoso${VIRTUOSO_DIRS:+, $VIRTUOSO_DIRS}
${VIRTUOSO_EXTRA_PARAMETERS:-}

[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = $work/virtuoso
MaxClientConnections = 8
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
INI
  (cd "$work/virtuoso" && exec virtuoso-t +foreground +configfile "$work/virtuoso/virtuoso.ini") \
    >"$work/virtuoso/stdout.log" 2>&1 &
  virtuoso=$!
  trap 'kill $virtuoso 2>/dev/null; wait $virtuoso 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 300); do
    curl -s -o /dev/null "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" && break
    kill -0 "$virtuoso" 2>/dev/null || break
    sleep 0.1
  done
  curl -s -o /dev/null "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" || return 1
  # The unauthenticated Graph Store endpoint writes as the SPARQL user once it may update.
  isql-vt "127.0.0.1:$sql" dba dba exec='GRANT SPARQL_UPDATE TO "SPARQL";' >/dev/null
}
