#!/usr/bin/env bash
# Makes a minimal base image from this machine's own Node.js, for building images where no registry is
# reachable: the node binary, the shared libraries it links, /bin/sh, CA certificates, and a passwd with
# an unprivileged user, and the system libraries the emulator's native modules link. Idempotent: does
# nothing when an image of this revision exists.
# Usage: docker/make-offline-base.sh [image name]   (default cos-direct/node-base:local)
set -euo pipefail
image="${1:-cos-direct/node-base:local}"
# Raised whenever the image gains something, so a base made before is made again: 2 added libresolv.
revision=2
if [ "$(docker image inspect --format '{{ index .Config.Labels "org.cos-direct.base-revision" }}' "$image" 2>/dev/null)" = "$revision" ]; then
  # Already made: nothing to say.
  exit 0
fi

node_bin="$(readlink -f "$(command -v node)")"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

copy() { # copy a file and its directory into the root, keeping the path
  mkdir -p "$root$(dirname "$1")"
  cp -L "$1" "$root$1"
}

mkdir -p "$root"/{bin,usr/local/bin,etc,tmp,data,lib64}
chmod 1777 "$root/tmp"
cp -L "$node_bin" "$root/usr/local/bin/node"
cp -L /bin/dash "$root/bin/sh"
for bin in "$node_bin" /bin/dash; do
  for lib in $(ldd "$bin" | grep -o '/[^ ]*' | sort -u); do copy "$lib"; done
done
# glibc libraries that node itself does not link but sharp's prebuilt libvips does.
for name in libresolv.so.2; do
  lib="$(ldconfig -p | awk -v n="$name" '$1 == n { print $NF; exit }')"
  [ -n "$lib" ] && copy "$lib"
done
# DNS and certificates for processes that need them.
for f in /etc/ssl/certs/ca-certificates.crt /etc/nsswitch.conf /etc/host.conf; do
  [ -e "$f" ] && copy "$f"
done
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
app:x:10001:10001:app:/data:/bin/sh
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
app:x:10001:
GROUP
chown 10001:10001 "$root/data"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=' \
  --change "LABEL org.cos-direct.base-revision=$revision" \
  - "$image" >/dev/null
echo "make-offline-base: created $image from $node_bin ($("$node_bin" --version))"
