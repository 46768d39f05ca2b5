#!/usr/bin/env bash
# npm run bench: installs keepalived and ucarp when missing (Debian packages), builds, runs the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then echo "the benchmark builds network namespaces: run it as root" >&2; exit 2; fi
need=()
command -v keepalived >/dev/null 2>&1 || [ -x /usr/sbin/keepalived ] || need+=(keepalived)
command -v ucarp >/dev/null 2>&1 || [ -x /usr/sbin/ucarp ] || need+=(ucarp)
command -v tc >/dev/null 2>&1 || [ -x /usr/sbin/tc ] || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  # policy-rc.d keeps the package from starting keepalived in the root namespace on machines with an init system
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || { rm -f /usr/sbin/policy-rc.d; exit 1; }
  rm -f /usr/sbin/policy-rc.d
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build >/dev/null
exec node dist/scripts/bench/run-bench.js "$@"
