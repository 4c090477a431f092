#!/usr/bin/env bash
# Builds the emulator image without a registry: the app and its production node_modules are assembled
# on this machine (pnpm deploy) and copied onto a base image given as a build argument.
# Usage: docker/build-emulator-image.sh [tag] [base image]
#   base image default: an official Node image when one is present locally, else the offline base.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
tag="${1:-cos-direct/emulator:local}"
base="${2:-}"
if [ -z "$base" ]; then
  if docker image inspect node:20-bookworm-slim >/dev/null 2>&1; then base=node:20-bookworm-slim
  else base=cos-direct/node-base:local; "$here/make-offline-base.sh" "$base"; fi
fi

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
pnpm_version="$(node -p "require('$repo/package.json').packageManager.split('@')[1]")"
(cd "$repo" && npx -y "pnpm@$pnpm_version" --filter @cos-direct/emulator... run build >/dev/null)
(cd "$repo" && npx -y "pnpm@$pnpm_version" --filter @cos-direct/emulator deploy --prod --legacy "$context/app" >/dev/null)
mkdir -p "$context/data"
cp "$repo/packages/emulator/Dockerfile" "$context/Dockerfile"
docker build --quiet --build-arg "BASE_IMAGE=$base" -t "$tag" "$context" >/dev/null
echo "build-emulator-image: built $tag on $base"
