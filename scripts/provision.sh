#!/usr/bin/env bash
# Provisions what the hub and its tests run on, and records the Temporal servers' paths in
# .cache/temporal-paths.env (read by src/testing/temporal-servers.ts and scripts/run-tests.mjs).
#
#   bash scripts/provision.sh             everything `npm test` needs: Temporal CLI (dev server), Java
#                                         time-skipping test server, Shopify Admin schema
#   bash scripts/provision.sh --up        what `b1hub up` needs (`npm start`, `npm run bench`): the
#                                         Temporal CLI and the Shopify Admin schema (the simulator's)
#   bash scripts/provision.sh --cli-only  the Temporal CLI only
#
# The Shopify schema has no fallback: when it cannot be fetched this script fails, in and outside CI.
#
# Outside CI a missing toolchain (no go, java or mvn) is not fatal: the SDK can download its own
# servers when the machine has internet access. In CI (CI=true) every binary must be provisioned.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_FILE="$REPO/.cache/temporal-paths.env"

want_test_server=true
want_schema=true
for arg in "$@"; do
  case "$arg" in
    --cli-only) want_test_server=false; want_schema=false ;;
    --up) want_test_server=false; want_schema=true ;;
    *) printf 'usage: %s [--up | --cli-only]\n' "$0" >&2; exit 2 ;;
  esac
done

in_ci=false
case "${CI:-}" in "" | 0 | false | FALSE | False) ;; *) in_ci=true ;; esac

log() { printf '[provision] %s\n' "$*" >&2; }

failures=()

# Prints the path a provisioning script resolved; prints nothing when it could not provide one (its
# own stderr says why).
resolve_path() {
  local out
  out="$(bash "$1")" || return 0
  printf '%s\n' "$out"
}

cli_path="$(resolve_path "$REPO/scripts/provision-temporal-cli.sh")"
[[ -n "$cli_path" ]] || failures+=("Temporal CLI (needs go, or temporal on PATH, or TEMPORAL_CLI_PATH)")

server_path=""
if $want_test_server; then
  server_path="$(resolve_path "$REPO/scripts/provision-test-server.sh")"
  [[ -n "$server_path" ]] || failures+=("Java test server (needs java and mvn, or TEMPORAL_TEST_SERVER_PATH)")
fi

schema_failed=false
if $want_schema; then
  if ! bash "$REPO/scripts/provision-shopify-schema.sh" >&2; then
    failures+=("Shopify schema (see its output above)")
    schema_failed=true
  fi
fi

# Keep a path provisioned by an earlier full run when this run does not provision the test server.
previous_server=""
if ! $want_test_server && [[ -f "$ENV_FILE" ]]; then
  previous_server="$(sed -n 's/^TEMPORAL_TEST_SERVER_PATH=//p' "$ENV_FILE")"
  [[ -x "$previous_server" ]] || previous_server=""
fi
[[ -n "$server_path" ]] || server_path="$previous_server"

mkdir -p "$(dirname "$ENV_FILE")"
tmp="$ENV_FILE.tmp.$$"
{
  printf '# Written by scripts/provision.sh; paths of the provisioned Temporal servers.\n'
  [[ -n "$cli_path" ]] && printf 'TEMPORAL_CLI_PATH=%s\n' "$cli_path"
  [[ -n "$server_path" ]] && printf 'TEMPORAL_TEST_SERVER_PATH=%s\n' "$server_path"
  true
} >"$tmp"
mv "$tmp" "$ENV_FILE"

if ((${#failures[@]} == 0)); then
  log "ok: TEMPORAL_CLI_PATH=$cli_path${server_path:+ TEMPORAL_TEST_SERVER_PATH=$server_path}"
  exit 0
fi

if $schema_failed; then
  # Nothing downloads the schema later: the Shopify simulator cannot start without it.
  log "FAILED: could not provision: $(IFS=";"; printf "%s" "${failures[*]}")"
  exit 1
fi
if $in_ci; then
  log "FAILED in CI: could not provision: $(IFS=";"; printf "%s" "${failures[*]}")"
  exit 1
fi
log "could not provision: $(IFS=";"; printf "%s" "${failures[*]}")"
log "continuing: the Temporal SDK will try to download its own servers (needs internet access)"
exit 0
