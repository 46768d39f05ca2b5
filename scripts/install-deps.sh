#!/usr/bin/env bash
# Installs what floatip needs on a fresh Debian/Ubuntu machine, then the npm packages and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

# --test also installs what only the test suite uses: systemd-analyze and systemd-notify (the unit's checks),
# python3 (a stand-in for systemd's notify socket), promtool (the metrics' format), groff (the man page),
# tcpdump (the namespace test captures the IPv6 neighbour advertisement), etcd and etcdctl (the quorum mode's tests
# run a three-member cluster in namespaces; policy-rc.d below keeps the package from starting one of its own), nft
# (a quorum test's firewall rejects the echo port with TCP resets, in a lab namespace only).
# ndisc6 and na6 serve IPv6 floating addresses.
tools="ifconfig:net-tools ping:iputils-ping arping:iputils-arping ip:iproute2 xargs:findutils setpriv:util-linux ndisc6:ndisc6 na6:ipv6toolkit"
[ "${1:-}" = "--test" ] && tools="$tools systemd-analyze:systemd systemd-notify:systemd python3:python3 promtool:prometheus groff:groff-base dpkg-deb:dpkg tcpdump:tcpdump etcd:etcd-server etcdctl:etcd-client nft:nftables"

need=()
for pair in $tools; do
  tool=${pair%%:*} pkg=${pair##*:}
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || [ -x "/sbin/$tool" ] || [[ " ${need[*]} " == *" $pkg "* ]] || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "installing ${need[*]} needs root: run this as root (sudo)" >&2; exit 2; fi
  echo "installing system packages: ${need[*]}"
  apt-get update -qq
  # policy-rc.d keeps a package (prometheus, for promtool) from starting its service on a machine with an init
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || { [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d; exit 1; }
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

node_major=$(node -p 'process.versions.node.split(".").map(Number).join(".")' 2>/dev/null || echo 0)
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || { echo "floatip needs Node.js >= 20.19 (found ${node_major})" >&2; exit 2; }

npm ci --no-audit --no-fund
npm run build
