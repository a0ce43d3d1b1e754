#!/usr/bin/env bash
# Resolves a Temporal CLI binary (the dev server behind `npm start` and the dev-server tests) and prints
# its absolute path on stdout. Progress goes to stderr.
#
# Order: $TEMPORAL_CLI_PATH (if executable), `temporal` on PATH, a cached build in
# <repo>/.cache/temporal/bin, else a build with `go install` into that cache.
# Exit codes: 0 ok; 3 nothing found and no Go toolchain (the caller decides whether the SDK's own
# download, which needs internet, is acceptable); 1 the build failed.
set -euo pipefail

# v1.5.1 is the newest tag whose go.mod has no replace directive: later tags cannot be built with
# `go install pkg@version`.
CLI_VERSION="v1.5.1"
CLI_MODULE="github.com/temporalio/cli/cmd/temporal"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$REPO/.cache/temporal"
BIN_DIR="$CACHE/bin"
BIN="$BIN_DIR/temporal"  # printed with readlink -f: the recorded path stays valid when .cache is a link
HEARTBEAT_SECONDS="${PROVISION_HEARTBEAT_SECONDS:-30}"

log() { printf '[provision-temporal-cli] %s\n' "$*" >&2; }
abspath() { printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"; }

if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
  if [[ -x "$TEMPORAL_CLI_PATH" && -f "$TEMPORAL_CLI_PATH" ]]; then
    abspath "$TEMPORAL_CLI_PATH"
    exit 0
  fi
  log "ignoring TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH: not an executable file"
fi

if on_path="$(command -v temporal 2>/dev/null)" && [[ -n "$on_path" && -x "$on_path" ]]; then
  readlink -f "$on_path"
  exit 0
fi

if [[ -x "$BIN" ]]; then
  readlink -f "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "no Temporal CLI found (TEMPORAL_CLI_PATH, PATH, $BIN) and no Go toolchain to build one;"
  log "the Temporal SDK's own download will be used instead (works only with internet access)"
  exit 3
fi

mkdir -p "$BIN_DIR"
# Two provisioning runs at once (npm start and npm test in two terminals) must not build twice.
exec 9>"$CACHE/.build.lock"
if command -v flock >/dev/null 2>&1; then
  if ! flock -n 9; then
    log "another provisioning run is building the Temporal CLI; waiting for it…"
    flock 9
  fi
fi
if [[ -x "$BIN" ]]; then # built by the run we waited for
  readlink -f "$BIN"
  exit 0
fi

build_log="$CACHE/go-install.log"
log "building Temporal CLI $CLI_VERSION with go install (first time only, several minutes)… log: $build_log"
started=$SECONDS
GOBIN="$BIN_DIR" go install "$CLI_MODULE@$CLI_VERSION" >"$build_log" 2>&1 &
build_pid=$!
# A heartbeat so that a CI log or a terminal never looks hung during the long, silent compile.
(
  while sleep "$HEARTBEAT_SECONDS"; do
    kill -0 "$build_pid" 2>/dev/null || exit 0
    printf '[provision-temporal-cli] still building the Temporal CLI… %d s so far\n' "$((SECONDS - started))" >&2
  done
) &
heartbeat_pid=$!
build_status=0
wait "$build_pid" || build_status=$?
kill "$heartbeat_pid" 2>/dev/null || true
wait "$heartbeat_pid" 2>/dev/null || true

if ((build_status != 0)) || [[ ! -x "$BIN" ]]; then
  log "go install failed after $((SECONDS - started)) s (exit $build_status); last lines of $build_log:"
  tail -n 20 "$build_log" >&2 || true
  exit 1
fi
if ! version="$("$BIN" --version 2>&1)"; then
  log "the built binary does not run: $version"
  rm -f "$BIN"
  exit 1
fi
log "built $version in $((SECONDS - started)) s"
readlink -f "$BIN"
