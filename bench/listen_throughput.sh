#!/usr/bin/env bash
# Kept for older references: the listener benchmark is now bench/listen.sh (nginx, adnanh webhook and
# hooktool listen with/without --capture, side by side). Usage: bench/listen_throughput.sh [build/hooktool]
set -euo pipefail
[[ $# -gt 0 ]] && export HOOKTOOL=$1
exec "$(dirname "${BASH_SOURCE[0]}")/listen.sh"
