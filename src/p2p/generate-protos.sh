#!/bin/sh
# Regenerates the protobuf codecs of src/p2p from their .proto files; run from the repo root.
# protons 9 emits code for protons-runtime 7 (Codec<T>); we run on protons-runtime 8, whose
# Codec takes the decoded and the encodable type (Codec<D, E>), so the output is adapted.
# The generated files are committed and excluded from lint by their header.
set -eu
for proto in src/p2p/protocols/have/have.proto src/p2p/protocols/chunk/chunk.proto src/p2p/gossip/heartbeat.proto src/p2p/gossip/chunk-event.proto src/p2p/raft-transport/raft.proto; do
  npx protons "$proto"
  out="${proto%.proto}.ts"
  sed -E \
    -e 's/Codec<([A-Za-z_]+)>/Codec<\1, Partial<\1>>/g' \
    -e 's/message<([A-Za-z_]+)>\(/message<\1, Partial<\1>>(/g' \
    -e 's/enumeration<([A-Za-z_]+)>\(/enumeration<\1>(/g' \
    "$out" > "$out.tmp"
  { printf '/* eslint-disable */\n// Generated from %s by src/p2p/generate-protos.sh; do not edit.\n' "$(basename "$proto")"; cat "$out.tmp"; } > "$out"
  rm "$out.tmp"
done
