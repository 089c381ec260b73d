#!/bin/sh
# Installs the peer benchmarks (tfjs, jax-js, onnxruntime; ../shared/peers) into a writable cache
# directory, for bench/peers.ts. The peers are never dependencies of fusegrad: they live outside
# the repository and its package.json.
#   scripts/install-peers.sh [SOURCE_DIR]
#   FUSEGRAD_PEERS_DIR=/some/dir scripts/install-peers.sh
# --ignore-scripts: onnxruntime-node's postinstall downloads CUDA extras; its CPU binaries ship in
# the package, and nothing else in the peers needs an install script.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-$repo/../shared/peers}
dest=${FUSEGRAD_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fusegrad-peers}
if [ ! -f "$src/siren_jax.mjs" ]; then
  echo "install-peers: no peer scripts in $src (pass the directory that holds siren_jax.mjs)" >&2
  exit 2
fi
mkdir -p "$dest"
# The source may be read-only: copy the files, then make the copies writable.
cp -R "$src"/. "$dest"/
chmod -R u+w "$dest"
cd "$dest"
npm install --ignore-scripts --no-audit --no-fund
echo "peers installed in $dest"
echo "run: node --import tsx bench/run.ts --only=siren,peers   (bench/peers.ts looks in this directory; override with FUSEGRAD_PEERS_DIR)"
