#!/usr/bin/env bash
# Resolves the Temporal Java time-skipping test server from Maven Central and prints the absolute path
# of an executable wrapper that sdk-core can start as `existing-path` (`<wrapper> <port> [extraArgs]`).
# Progress goes to stderr; stdout carries only the path.
#
# Exit codes: 0 ok; 2 TEMPORAL_TEST_SERVER_PATH is set but not executable; 3 no java or no mvn here
# (the caller decides whether the SDK's own download is an acceptable fallback); 1 anything else.
#
# Why the JVM flags: sdk-core gives the server about 5 s (50 connection attempts, 100 ms apart) to
# answer before it kills it with StartupTimeout. On a 2-core machine that is busy with other test
# files a default JVM start can come close to that, so the wrapper starts a C1-only, serial-GC JVM
# with an AppCDS archive of the classes the server loads up to its first listen (created here once).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$REPO/scripts/test-server/pom.xml"
CACHE="$REPO/.cache/temporal-test-server"
LIB="$CACHE/lib"
WRAPPER="$CACHE/temporal-test-server"
ARCHIVE="$CACHE/test-server.jsa"
STAMP="$CACHE/.stamp"
# Bump when the wrapper's contents change so existing caches are regenerated.
WRAPPER_FORMAT=1

log() { printf '[provision-test-server] %s\n' "$*" >&2; }

if [[ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]]; then
  if [[ -x "$TEMPORAL_TEST_SERVER_PATH" ]]; then
    printf '%s\n' "$(cd "$(dirname "$TEMPORAL_TEST_SERVER_PATH")" && pwd)/$(basename "$TEMPORAL_TEST_SERVER_PATH")"
    exit 0
  fi
  log "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable file"
  exit 2
fi

java_bin=""
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  java_bin="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1; then
  java_bin="$(command -v java)"
fi
if [[ -z "$java_bin" ]]; then
  log "no Java runtime found (install a JDK/JRE >= 8, e.g. apt-get install openjdk-17-jre-headless)"
  exit 3
fi
# The real path pins the wrapper (and the CDS archive, which is only valid for the JVM that wrote it)
# to one installed JDK; a JDK upgrade changes the path and so regenerates both.
java_bin="$(readlink -f "$java_bin")"

pom_sum="$(sha256sum "$POM" | cut -d' ' -f1)"
# The cache path is part of it because the wrapper holds absolute paths (a moved checkout re-provisions).
want_stamp="format=$WRAPPER_FORMAT pom=$pom_sum java=$java_bin dir=$CACHE"

if [[ -x "$WRAPPER" && -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]]; then
  printf '%s\n' "$WRAPPER"
  exit 0
fi

if ! command -v mvn >/dev/null 2>&1; then
  log "Maven (mvn) not found; cannot resolve io.temporal:temporal-test-server (apt-get install maven)"
  exit 3
fi

version="$(sed -n 's:.*<temporal.test-server.version>\(.*\)</temporal.test-server.version>.*:\1:p' "$POM")"
mkdir -p "$CACHE"
# Two provisioning runs at once (npm start and npm test in two terminals) must not both rewrite lib/.
exec 9>"$CACHE/.provision.lock"
if command -v flock >/dev/null 2>&1; then
  if ! flock -n 9; then
    log "another provisioning run is resolving the test server; waiting for it…"
    flock 9
  fi
fi
if [[ -x "$WRAPPER" && -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]]; then
  printf '%s\n' "$WRAPPER"
  exit 0
fi
rm -f "$STAMP"

log "resolving Temporal Java test server $version from Maven Central (first time only, usually under a minute)…"
started=$SECONDS
tmp_lib="$CACHE/lib.tmp.$$"
rm -rf "$tmp_lib"
# -B: no colour codes or download progress bars in CI logs; output goes to stderr, stdout is ours.
# Maven 3.8 still prints bare colour resets with -q; strip escape codes from what reaches the log.
if ! mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp_lib" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; then
  rm -rf "$tmp_lib"
  log "mvn dependency:copy-dependencies failed (see above)"
  exit 1
fi
rm -rf "$LIB"
mv "$tmp_lib" "$LIB"
log "resolved $(find "$LIB" -name '*.jar' | wc -l) jars in $((SECONDS - started)) s"

# An explicit, sorted classpath rather than "lib/*": AppCDS refuses an archive whose classpath differs
# from the one it was dumped with, and a wildcard's order follows the directory listing.
classpath="$(find "$LIB" -maxdepth 1 -name '*.jar' | LC_ALL=C sort | paste -sd: -)"

# C1 only and serial GC: start-up and small footprint matter here, peak throughput does not.
jvm_flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms32m -Xmx512m -Xss512k)

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})'
}

wait_for_port() { # pid port timeout_s
  local pid=$1 port=$2 deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Dump the dynamic CDS archive: run the server until it listens, then stop it normally (SIGTERM runs
# the JVM's exit path, which writes the archive).
rm -f "$ARCHIVE"
log "creating the class-data-sharing archive for a fast JVM start…"
port="$(free_port)"
"$java_bin" "${jvm_flags[@]}" -XX:ArchiveClassesAtExit="$ARCHIVE" -Xlog:cds=error,cds+dynamic=error \
  -cp "$classpath" io.temporal.testserver.TestServer "$port" >"$CACHE/archive-dump.log" 2>&1 &
dump_pid=$!
if wait_for_port "$dump_pid" "$port" 120; then
  # Let the gRPC server finish wiring its services before the snapshot of loaded classes.
  sleep 1
  kill -TERM "$dump_pid" 2>/dev/null || true
fi
wait "$dump_pid" 2>/dev/null || true

archive_flags=()
if [[ -s "$ARCHIVE" ]] && "$java_bin" -XX:SharedArchiveFile="$ARCHIVE" -Xshare:on "${jvm_flags[@]}" \
      -cp "$classpath" -version >/dev/null 2>&1; then
  # -Xshare:auto: if the archive ever stops matching (JDK patched in place), the JVM silently starts
  # without it instead of refusing to start.
  archive_flags=(-XX:SharedArchiveFile="$ARCHIVE" -Xshare:auto -Xlog:cds=off,cds+dynamic=off)
else
  rm -f "$ARCHIVE"
  log "warning: could not create a usable CDS archive (see $CACHE/archive-dump.log); the server will start without it"
fi

tmp_wrapper="$WRAPPER.tmp.$$"
{
  printf '#!/usr/bin/env bash\n'
  printf '# Generated by scripts/provision-test-server.sh (Temporal test server %s); do not edit.\n' "$version"
  printf '# Usage (as sdk-core calls it): %s <port> [--enable-time-skipping]\n' "$(basename "$WRAPPER")"
  printf 'exec %q' "$java_bin"
  printf ' %q' "${jvm_flags[@]}" "${archive_flags[@]}" -cp "$classpath" io.temporal.testserver.TestServer
  printf ' "$@"\n'
} >"$tmp_wrapper"
chmod +x "$tmp_wrapper"
mv "$tmp_wrapper" "$WRAPPER"
printf '%s\n' "$want_stamp" >"$STAMP"
log "test server ready: $WRAPPER ($((SECONDS - started)) s)"
printf '%s\n' "$WRAPPER"
