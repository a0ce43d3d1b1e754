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
if [[ -f package-lock.json ]]; then
  if [[ -f "$marker" && ! "$marker" -ot package-lock.json ]]; then
    exit 0
  fi
  if [[ -d node_modules ]]; then
    log "package-lock.json is newer than node_modules; reinstalling with npm ci…"
  else
    log "installing npm dependencies with npm ci (first time only, under a minute)…"
  fi
  started=$SECONDS
  npm ci --no-audit --no-fund >&2
else
  if [[ -f "$marker" && ! "$marker" -ot package.json ]]; then
    exit 0
  fi
  log "no package-lock.json; installing npm dependencies with npm install…"
  started=$SECONDS
  npm install --no-audit --no-fund >&2
fi
log "npm dependencies installed in $((SECONDS - started)) s"
