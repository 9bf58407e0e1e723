#!/bin/sh
# Regenerates raft.ts from raft.proto; run from the repo root. Same adaptation as
# src/p2p/generate-protos.sh: protons 9 emits Codec<T> for protons-runtime 7, and we run on
# protons-runtime 8, whose Codec takes the decoded and the encodable type (Codec<D, E>).
set -eu
proto=src/p2p/raft-transport/raft.proto
npx protons "$proto"
out="${proto%.proto}.ts"
sed -E \
  -e 's/Codec<([A-Za-z_]+)>/Codec<\1, Partial<\1>>/g' \
  -e 's/message<([A-Za-z_]+)>\(/message<\1, Partial<\1>>(/g' \
  -e 's/enumeration<([A-Za-z_]+)>\(/enumeration<\1>(/g' \
  "$out" > "$out.tmp"
{ printf '/* eslint-disable */\n// Generated from %s by src/p2p/raft-transport/generate-proto.sh; do not edit.\n' "$(basename "$proto")"; cat "$out.tmp"; } > "$out"
rm "$out.tmp"
