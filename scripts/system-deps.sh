#!/usr/bin/env bash
# System prerequisites for the full test suite on Debian: Chromium (browser tests), a Docker engine
# (container tests), Redis (the sign server's shared rate limit) and the command-line COS clients of the
# client matrix (e2e/test/clients: boto3, the AWS CLI, rclone, s3cmd), and the Python packages of the
# official Python SDK's suite runner (packages/emulator/conformance). Idempotent. Without root it only
# reports what is missing.
set -uo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# Debian's own copies, by path: a pyenv or pip python earlier on PATH is not what the matrix runs.
/usr/bin/python3 -c 'import boto3' >/dev/null 2>&1 || need+=(python3-boto3)
[ -x /usr/bin/aws ] || need+=(awscli)
[ -x /usr/bin/rclone ] || need+=(rclone)
[ -x /usr/bin/s3cmd ] || need+=(s3cmd)
# What the official Python SDK needs, for its own suite's runner (packages/emulator/conformance).
for pkg in requests:python3-requests six:python3-six xmltodict:python3-xmltodict crcmod:python3-crcmod Cryptodome:python3-pycryptodome; do
  /usr/bin/python3 -c "import ${pkg%%:*}" >/dev/null 2>&1 || need+=("${pkg#*:}")
done

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: missing ${need[*]}; install them (Debian: sudo apt-get install ${need[*]})" >&2
  else
    echo "system-deps: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" ca-certificates >/dev/null || {
      echo "system-deps: apt-get install ${need[*]} failed" >&2
      exit 1
    }
  fi
fi

# Start a Docker engine when none answers.
if command -v docker >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v dockerd >/dev/null 2>&1; then
    echo "system-deps: starting dockerd"
    nohup dockerd >/tmp/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      sleep 1
    done
    docker info >/dev/null 2>&1 || { echo "system-deps: dockerd did not start; see /tmp/dockerd.log" >&2; exit 1; }
  else
    echo "system-deps: no Docker engine answers; container tests will report why they cannot run" >&2
  fi
fi
exit 0
