#!/usr/bin/env bash
# Builds the sign server image (cos-direct/server:local) offline; see build-workspace-image.sh.
# Usage: docker/build-server-image.sh [tag] [base image]
set -euo pipefail
exec "$(dirname "$0")/build-workspace-image.sh" apps/server "${1:-cos-direct/server:local}" ${2:+"$2"}
