#!/usr/bin/env bash
# Builds a workspace's image without a registry: the app and its production node_modules are assembled
# on this machine (pnpm deploy) and copied onto a base image given as a build argument. The workspace's
# Dockerfile is beside its package.json.
# Usage: docker/build-workspace-image.sh <workspace dir> <tag> [base image]
#   e.g. packages/emulator cos-direct/emulator:local (docker/build-emulator-image.sh, build-server-image.sh)
#   base image default: an official Node image when one is present locally, else the offline base.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
workspace="$repo/$1"
tag="$2"
base="${3:-}"
name="$(node -p "require('$workspace/package.json').name")"
what="build-$(basename "$workspace")-image"
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
    echo "$what: failed: $*" >&2
    exit 1
  fi
}
in_repo() { (cd "$repo" && "$@"); }
# Suites that start at the same time share one build: the second waits here, then finds the image current.
exec 9>"${TMPDIR:-/tmp}/cos-direct-image-$(printf '%s' "$tag" | tr -c 'A-Za-z0-9' '_').lock"
flock 9
# Built only when its sources changed: test suites run this while others read the same dist, and a
# rebuild under them would hand them half-written files.
# The workspace and the workspaces it depends on, whose dist it runs.
mapfile -t sources < <(node -e "
  const { readdirSync, existsSync, readFileSync } = require('node:fs');
  const m = (d) => JSON.parse(readFileSync(d + '/package.json', 'utf8'));
  const deps = Object.keys(m('$workspace').dependencies ?? {});
  console.log('$workspace');
  for (const p of ['packages', 'apps']) for (const d of readdirSync('$repo/' + p)) {
    const dir = '$repo/' + p + '/' + d;
    if (existsSync(dir + '/package.json') && deps.includes(m(dir).name)) console.log(dir);
  }")
if ! node "$repo/scripts/build-stamp.mjs" --current "${sources[@]}"; then
  quiet in_repo "${pnpm[@]}" --filter "$name..." run build
fi
quiet in_repo "${pnpm[@]}" --filter "$name" deploy --prod --legacy "$context/app"
mkdir -p "$context/data"
cp "$workspace/Dockerfile" "$context/Dockerfile"
# The image is labelled with a digest of its whole context and base: when nothing in them changed, the
# image already there is the one this build would make. (Bin shims and pnpm's state name the context's
# temporary path, so they are left out.)
digest="$( (cd "$context" && find . -type f -not -path '*/.bin/*' -not -name .modules.yaml -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; docker image inspect --format '{{.Id}}' "$base") | sha256sum | cut -c1-32)"
if [ "$(docker image inspect --format '{{ index .Config.Labels "org.cos-direct.context" }}' "$tag" 2>/dev/null)" = "$digest" ]; then
  echo "$what: $tag is current"
  exit 0
fi
quiet docker build --quiet --build-arg "BASE_IMAGE=$base" --label "org.cos-direct.context=$digest" -t "$tag" "$context"
# A rebuild leaves the image it replaced and its first stage untagged.
docker image prune --force --filter "label=org.cos-direct.build=$(basename "$workspace")" >/dev/null 2>&1 || true
echo "$what: built $tag on $base"
