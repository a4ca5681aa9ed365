#!/usr/bin/env bash
# Installs a pinned n8n (with its own Node 24 from the npm package node@24) into a cache folder
# outside the clone and prints the folder. A second run finds the marker file and returns at once.
#   N8N_VERSION     the n8n version (default: the pinned one every suite and the demo use; the
#                   compatibility runs, npm run test:compat, set it)
#   NODE24_VERSION  the Node.js version n8n runs on
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE_ROOT="${N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-scale-nucleus}"
DIR="$CACHE_ROOT/n8n-$N8N_VERSION-node-$NODE24_VERSION"
MARKER="$DIR/.installed"
if [ -f "$MARKER" ]; then echo "$DIR"; exit 0; fi
mkdir -p "$DIR"
# One installer at a time (the demo and the tests may start together on a fresh machine).
exec 9>"$CACHE_ROOT/.install.lock"
flock 9
if [ -f "$MARKER" ]; then echo "$DIR"; exit 0; fi
cd "$DIR"
[ -f package.json ] || echo '{"name":"n8n-cache","private":true}' > package.json
log() { echo "[install-n8n] $*" >&2; }
# The npm package node@24 only installs the platform package node-<os>-<arch> from a preinstall
# script, which npm 11 no longer runs unprompted; install that platform package directly.
NODE_PKG="node-$(node -p 'process.platform + "-" + process.arch')"
log "installing $NODE_PKG@$NODE24_VERSION into $DIR"
npm install --no-audit --no-fund "$NODE_PKG@$NODE24_VERSION" >&2
PLATFORM_DIR="$DIR/node_modules/$NODE_PKG"
[ -x "$PLATFORM_DIR/bin/node" ] || { log "node 24 binary not found in $PLATFORM_DIR"; exit 1; }
export PATH="$PLATFORM_DIR/bin:$PATH"
log "node $(node --version); installing n8n@$N8N_VERSION (takes minutes the first time)"
npm install --no-audit --no-fund --ignore-scripts "n8n@$N8N_VERSION" >&2
log "rebuilding native modules against node 24 headers"
npm rebuild sqlite3 isolated-vm --nodedir="$PLATFORM_DIR" >&2
echo "$PLATFORM_DIR/bin" > "$DIR/.node-bin"
date -u +%FT%TZ > "$MARKER"
echo "$DIR"
