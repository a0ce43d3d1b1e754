#!/usr/bin/env bash
# Fetches Shopify's real Admin API 2026-07 introspection schema into .cache/shopify/.
# The schema ships inside @shopify/dev-mcp; we take only that one file from the packed
# tarball instead of installing the package, because installing it pulls in the Shopify CLI.
set -euo pipefail

VERSION="${SHOPIFY_SCHEMA_VERSION:-2026-07}"
PKG="@shopify/dev-mcp@1.16.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST_DIR="$ROOT/.cache/shopify"
DEST="$DEST_DIR/admin_${VERSION}.json.gz"
MEMBER="package/dist/data/admin_${VERSION}.json.gz"

fail() { echo "provision-shopify-schema: ERROR: $*" >&2; exit 1; }

valid_schema() {
  # A usable file is a complete gzip stream whose JSON holds an introspection result.
  # (head closes the pipe early, so pipefail must not judge this pipeline)
  gzip -t "$1" 2>/dev/null || return 1
  local start
  start="$(set +o pipefail; gzip -dc "$1" 2>/dev/null | head -c 200)"
  [[ "$start" == *'"__schema"'* ]]
}

if [[ -s "$DEST" ]] && valid_schema "$DEST"; then
  echo "provision-shopify-schema: Admin ${VERSION} schema present ($DEST)"
  exit 0
fi

command -v npm >/dev/null || fail "npm is not on PATH"
mkdir -p "$DEST_DIR"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "provision-shopify-schema: fetching Admin ${VERSION} schema from ${PKG} (npm pack, ~14 MB)..."
if ! (cd "$TMP" && npm pack "$PKG" --silent >"$TMP/pack.out" 2>"$TMP/pack.err"); then
  cat "$TMP/pack.err" >&2 || true
  fail "npm pack ${PKG} failed (is the npm registry reachable?)"
fi
TARBALL="$TMP/$(tail -n1 "$TMP/pack.out")"
[[ -f "$TARBALL" ]] || fail "npm pack did not produce a tarball (got: $(cat "$TMP/pack.out"))"

tar -xzf "$TARBALL" -C "$TMP" "$MEMBER" 2>"$TMP/tar.err" \
  || fail "${MEMBER} not found in ${PKG}: $(cat "$TMP/tar.err")"
valid_schema "$TMP/$MEMBER" || fail "${MEMBER} is not a gzipped introspection result"

# Rename into place so a concurrent reader never sees a half-written file.
mv -f "$TMP/$MEMBER" "$DEST.tmp.$$"
mv -f "$DEST.tmp.$$" "$DEST"
echo "provision-shopify-schema: wrote $DEST ($(wc -c <"$DEST") bytes)"
