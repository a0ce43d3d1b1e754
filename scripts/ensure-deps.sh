#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than package-lock.json. Plain bash on
# purpose: it runs (from `npm start`, `npm test`, .ci/run) before anything in node_modules exists.
# Fast no-op when node_modules is current.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

log() { printf '[ensure-deps] %s\n' "$*" >&2; }

# npm rewrites node_modules/.package-lock.json (its record of what is installed) on every install,
# after package-lock.json, so it is the freshness marker; a bare node_modules without it is treated
# as incomplete.
marker="node_modules/.package-lock.json"
up_to_date() {
  if [[ -f package-lock.json ]]; then
    [[ -f "$marker" && ! "$marker" -ot package-lock.json ]]
  else
    [[ -f "$marker" && ! "$marker" -ot package.json ]]
  fi
}
up_to_date && exit 0

# npm ci empties node_modules through a symlink before replacing the link with a directory: a
# node_modules linked to another checkout's would be wiped for everyone using it. Only report.
if [[ -L node_modules ]]; then
  log "node_modules is a symlink ($(readlink node_modules)) and looks older than package-lock.json;"
  log "not reinstalling through it (npm ci would empty the linked folder); run npm ci where it points if needed"
  exit 0
fi

# npm ci deletes node_modules first: two of them at once (npm start and npm test in two terminals)
# would break each other, so the second waits and then finds everything installed.
mkdir -p .cache
exec 9>".cache/ensure-deps.lock"
if command -v flock >/dev/null 2>&1; then
  if ! flock -n 9; then
    log "another install is running; waiting for it…"
    flock 9
  fi
fi
up_to_date && exit 0
[[ -L node_modules ]] && exit 0

if [[ -f package-lock.json ]]; then
  if [[ -d node_modules ]]; then
    log "package-lock.json is newer than node_modules; reinstalling with npm ci…"
  else
    log "installing npm dependencies with npm ci (first time only, under a minute)…"
  fi
  started=$SECONDS
  npm ci --no-audit --no-fund >&2
else
  log "no package-lock.json; installing npm dependencies with npm install…"
  started=$SECONDS
  npm install --no-audit --no-fund >&2
fi
log "npm dependencies installed in $((SECONDS - started)) s"
