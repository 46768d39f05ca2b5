#!/usr/bin/env bash
# One command for a newcomer: install what is needed, build, and watch a failover happen for real
# between two daemons in throw-away network namespaces (nothing outside them is touched).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
node dist/scripts/demo.js
