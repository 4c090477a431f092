#!/usr/bin/env bash
# Builds the emulator image (cos-direct/emulator:local) offline; see build-workspace-image.sh.
# Usage: docker/build-emulator-image.sh [tag] [base image]
set -euo pipefail
exec "$(dirname "$0")/build-workspace-image.sh" packages/emulator "${1:-cos-direct/emulator:local}" ${2:+"$2"}
