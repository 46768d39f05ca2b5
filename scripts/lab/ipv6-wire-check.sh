#!/usr/bin/env bash
# The IPv6 adapters checked on the wire, in two network namespaces joined by a veth pair (fd00:198:18::/48 only;
# nothing in the root namespace is touched). Run as root after `npm run build`, under the lab lock:
#   flock /tmp/floatip-netns.lock bash scripts/lab/ipv6-wire-check.sh
# Prints the ndisc6 probe's results, and tcpdump's view (from the other namespace) of each takeover's advertisements.
set -uo pipefail
cd "$(dirname "$0")/../.."
A=fipv6a B=fipv6b
NODE="node dist/scripts/lab/ipv6-wire-node.js"
out=$(mktemp -d /tmp/fipv6-wire.XXXXXX)
cleanup() { ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT
cleanup 2>/dev/null; mkdir -p "$out"
in_a() { ip netns exec $A "$@"; }
in_b() { ip netns exec $B "$@"; }

ip netns add $A && ip netns add $B
for ns in $A $B; do ip netns exec $ns sysctl -qw net.ipv6.conf.default.accept_dad=0 && ip netns exec $ns ip link set lo up; done
in_a ip link add fipv6a0 type veth peer name fipv6b0 netns $B
in_a ip link set fipv6a0 up && in_b ip link set fipv6b0 up
in_a ip -6 addr add fd00:198:18::11/64 dev fipv6a0 nodad
in_b ip -6 addr add fd00:198:18::12/64 dev fipv6b0 nodad
sleep 0.5
echo "A is $(in_a cat /sys/class/net/fipv6a0/address), B is $(in_b cat /sys/class/net/fipv6b0/address)"

echo "== conflict probe (ndisc6), free and then held by B"
in_a $NODE probe fd00:198:18::234/64 fipv6a0
in_b ip -6 addr add fd00:198:18::234/64 dev fipv6b0 nodad
in_a $NODE probe fd00:198:18::234/64 fipv6a0
in_b ip -6 addr del fd00:198:18::234/64 dev fipv6b0
in_a $NODE probe fd00:198:18::234/64 fipv9a0

echo "== takeovers: bind, three advertisements a second apart, release"
in_b tcpdump -i fipv6b0 -e -vvv -n -tt -l icmp6 >"$out/na.txt" 2>/dev/null &
dump=$!
sleep 1
in_a $NODE takeover fd00:198:18::234/64 fipv6a0 ip
in_a $NODE takeover fd00:198:18::235/64 fipv6a0 ifconfig
in_a sysctl -qw net.ipv6.conf.fipv6a0.forwarding=1
in_a $NODE takeover fd00:198:18::236/64 fipv6a0 ip
in_a sysctl -qw net.ipv6.conf.fipv6a0.forwarding=0

echo "== the kernel's ndisc_notify: a nodad bind (::237), then one with duplicate address detection (::238)"
in_a sysctl -qw net.ipv6.conf.fipv6a0.ndisc_notify=1 net.ipv6.conf.fipv6a0.accept_dad=1
in_a ip -6 addr add fd00:198:18::237/64 dev fipv6a0 nodad
echo "::237 bound (nodad) at $(date +%s.%N)"
in_a ip -6 addr add fd00:198:18::238/64 dev fipv6a0
echo "::238 bound (with DAD) at $(date +%s.%N)"
sleep 3
kill $dump; wait $dump 2>/dev/null
echo "== tcpdump -i fipv6b0 -e -vvv -n -tt icmp6 in $B: the neighbour advertisements"
grep -A2 'neighbor advertisement' "$out/na.txt"
