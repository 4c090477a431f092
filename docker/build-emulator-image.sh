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
# Under a pnpm script, reuse that pnpm: npx would warn about each pnpm-only npm_config_* variable it inherits.
if [[ "${npm_execpath:-}" == *pnpm* ]]; then pnpm=(node "$npm_execpath")
else pnpm=(npx -y "pnpm@$(node -p "require('$repo/package.json').packageManager.split('@')[1]")"); fi

# Each step's output is shown only when it fails (docker's legacy builder prints a notice on every build).
quiet() {
  local out
  if ! out="$("$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    echo "build-emulator-image: failed: $*" >&2
    exit 1
  fi
}
in_repo() { (cd "$repo" && "$@"); }
quiet in_repo "${pnpm[@]}" --filter "@cos-direct/emulator..." run build
quiet in_repo "${pnpm[@]}" --filter @cos-direct/emulator deploy --prod --legacy "$context/app"
mkdir -p "$context/data"
cp "$repo/packages/emulator/Dockerfile" "$context/Dockerfile"
quiet docker build --quiet --build-arg "BASE_IMAGE=$base" -t "$tag" "$context"
# A rebuild leaves the image it replaced and its first stage untagged.
docker image prune --force --filter label=org.cos-direct.build=emulator >/dev/null 2>&1 || true
echo "build-emulator-image: built $tag on $base"
