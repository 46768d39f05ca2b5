import type { CommandResult, RunCommand } from '../../src/infrastructure/index.js';

// Real outputs, C locale. Linux ones recorded on Debian 12 (net-tools 2.10, iproute2 6.1, iputils 20221126,
// BusyBox 1.35) in a network namespace; macOS ones are transcribed from macOS 14 and covered by fixtures only.

export const IPROUTE2_ADDR_SHOW_BOUND = `3: eth0    inet 198.18.0.11/24 scope global eth0\\       valid_lft forever preferred_lft forever
3: eth0    inet 198.18.0.100/24 scope global secondary eth0:fip\\       valid_lft forever preferred_lft forever
`;
export const IPROUTE2_ADDR_SHOW_FREE = `3: eth0    inet 198.18.0.11/24 scope global eth0\\       valid_lft forever preferred_lft forever
`;
export const IPROUTE2_EXISTS = 'Error: ipv4: Address already assigned.\n';
export const IPROUTE2_NOT_FOUND = 'Error: ipv4: Address not found.\n';
export const IPROUTE2_NOT_PERMITTED = 'RTNETLINK answers: Operation not permitted\n';

export const NET_TOOLS_IFCONFIG_A_BOUND = `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 198.18.0.11  netmask 255.255.255.0  broadcast 0.0.0.0
        ether 4a:4f:27:4f:46:9c  txqueuelen 1000  (Ethernet)

eth0:fip: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 198.18.0.100  netmask 255.255.255.0  broadcast 198.18.0.255
        ether 4a:4f:27:4f:46:9c  txqueuelen 1000  (Ethernet)
`;
export const NET_TOOLS_NO_DEVICE = 'SIOCSIFADDR: No such device\neth9:fip: ERROR while getting interface flags: No such device\n';

export const BUSYBOX_IFCONFIG_A_BOUND = `eth0      Link encap:Ethernet  HWaddr FA:93:04:EF:EE:90
          inet addr:198.18.0.11  Bcast:0.0.0.0  Mask:255.255.255.0
          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1

eth0:fip  Link encap:Ethernet  HWaddr FA:93:04:EF:EE:90
          inet addr:198.18.0.100  Bcast:0.0.0.0  Mask:255.255.255.0
          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
`;

export const IPUTILS_PING_REPLY = `PING 198.18.0.100 (198.18.0.100) from 198.18.0.11 eth0: 56(84) bytes of data.
64 bytes from 198.18.0.100: icmp_seq=1 ttl=64 time=0.052 ms

--- 198.18.0.100 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 0.052/0.052/0.052/0.000 ms
`;
export const IPUTILS_PING_NONE = `PING 198.18.0.99 (198.18.0.99) 56(84) bytes of data.

--- 198.18.0.99 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms

`;
export const IPUTILS_PING_NO_DEVICE = 'ping: SO_BINDTODEVICE eth9: No such device\n';
export const BUSYBOX_PING_REPLY = `PING 198.18.0.100 (198.18.0.100): 56 data bytes
64 bytes from 198.18.0.100: seq=0 ttl=64 time=0.093 ms

--- 198.18.0.100 ping statistics ---
1 packets transmitted, 1 packets received, 0% packet loss
round-trip min/avg/max = 0.093/0.093/0.093 ms
`;
export const BUSYBOX_PING_NONE = `PING 198.18.0.99 (198.18.0.99): 56 data bytes

--- 198.18.0.99 ping statistics ---
1 packets transmitted, 0 packets received, 100% packet loss
`;

export const ARPING_DAD_REPLY = `ARPING 198.18.0.100 from 0.0.0.0 eth0
Unicast reply from 198.18.0.100 [FA:7B:FB:C0:35:16]  0.546ms
Sent 1 probes (1 broadcast(s))
Received 1 response(s)
`;
export const ARPING_NO_DEVICE = 'arping: Device eth9 not available.\n';

export const MACOS_IFCONFIG_EN0_BOUND = `en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
\toptions=6463<RXCSUM,TXCSUM,TSO4,TSO6,CHANNEL_IO,PARTIAL_CSUM,ZEROINVERT_CSUM>
\tether 3c:22:fb:12:34:56
\tinet6 fe80::1c7a:2b9f:9e4d:1a2b%en0 prefixlen 64 secured scopeid 0xe
\tinet 192.168.3.35 netmask 0xffffff00 broadcast 192.168.3.255
\tinet 192.168.3.234 netmask 0xffffff00 broadcast 192.168.3.255
\tnd6 options=201<PERFORMNUD,DAD>
\tmedia: autoselect
\tstatus: active
`;
export const MACOS_IFCONFIG_EN0_FREE = MACOS_IFCONFIG_EN0_BOUND.replace('\tinet 192.168.3.234 netmask 0xffffff00 broadcast 192.168.3.255\n', '');
export const MACOS_IFCONFIG_EXISTS = 'ifconfig: ioctl (SIOCAIFADDR): File exists\n';
export const MACOS_IFCONFIG_NOT_ROOT = 'ifconfig: ioctl (SIOCAIFADDR): Operation not permitted\n';
export const MACOS_PING_REPLY = `PING 192.168.3.234 (192.168.3.234): 56 data bytes
64 bytes from 192.168.3.234: icmp_seq=0 ttl=64 time=0.412 ms

--- 192.168.3.234 ping statistics ---
1 packets transmitted, 1 packets received, 0.0% packet loss
round-trip min/avg/max/stddev = 0.412/0.412/0.412/0.000 ms
`;
export const MACOS_PING_NONE = `PING 192.168.3.99 (192.168.3.99): 56 data bytes

--- 192.168.3.99 ping statistics ---
1 packets transmitted, 0 packets received, 100.0% packet loss
`;

// IPv6, recorded the same way (ndisc6 1.0.5, ipv6toolkit 2.0); the BusyBox and macOS layouts are transcribed.
export const IPROUTE2_ADDR6_SHOW_BOUND = `3: eth0    inet6 fd00:198:18::234/64 scope global nodad \\       valid_lft forever preferred_lft forever
3: eth0    inet6 fd00:198:18::11/64 scope global nodad \\       valid_lft forever preferred_lft forever
3: eth0    inet6 fe80::347b:26ff:fee6:aab8/64 scope link \\       valid_lft forever preferred_lft forever
`;
export const IPROUTE2_ADDR6_SHOW_FREE = `3: eth0    inet6 fd00:198:18::11/64 scope global nodad \\       valid_lft forever preferred_lft forever
3: eth0    inet6 fe80::347b:26ff:fee6:aab8/64 scope link \\       valid_lft forever preferred_lft forever
`;
export const IPROUTE2_EXISTS6 = 'Error: ipv6: address already assigned.\n';
export const IPROUTE2_NOT_FOUND6 = 'Error: ipv6: address not found.\n';

export const NET_TOOLS_IFCONFIG_A_BOUND6 = `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 198.18.0.11  netmask 255.255.255.0  broadcast 0.0.0.0
        inet6 fd00:198:18::234  prefixlen 64  scopeid 0x0<global>
        inet6 fd00:198:18::11  prefixlen 64  scopeid 0x0<global>
        inet6 fe80::347b:26ff:fee6:aab8  prefixlen 64  scopeid 0x20<link>
        ether 36:7b:26:e6:aa:b8  txqueuelen 1000  (Ethernet)

lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536
        inet 127.0.0.1  netmask 255.0.0.0
        inet6 ::1  prefixlen 128  scopeid 0x10<host>
`;
export const BUSYBOX_IFCONFIG_A_BOUND6 = `eth0      Link encap:Ethernet  HWaddr 36:7B:26:E6:AA:B8
          inet addr:198.18.0.11  Bcast:0.0.0.0  Mask:255.255.255.0
          inet6 addr: fd00:198:18::234/64 Scope:Global
          inet6 addr: fe80::347b:26ff:fee6:aab8/64 Scope:Link
          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
`;
export const NET_TOOLS_INET6_EXISTS = 'SIOCSIFADDR: File exists\n';

export const MACOS_IFCONFIG_EN0_BOUND6 = MACOS_IFCONFIG_EN0_BOUND.replace(
  '\tinet 192.168.3.35 ',
  '\tinet6 fd00:198:18::234 prefixlen 64\n\tinet 192.168.3.35 ',
);

/** `ndisc6 -1 -q -n -r 1 -w 150 <ip> <if>`: exit 0 with the MAC alone, 2 and nothing for silence, 1 for a failure. */
export const NDISC6_QUIET_ANSWER = 'EA:85:93:94:5B:03\n';
export const NDISC6_NO_DEVICE = 'eth9: No such device\n';
export const NDISC6_UNREACHABLE = 'Sending ICMPv6 packet: Network is unreachable\n';
/** na6 prints its failures on stdout, and exits 1. */
export const NA6_NO_DEVICE = 'pcap_open_live(eth9): eth9: No such device exists (No such device exists)\nError while learning Souce Address and Next Hop\n';

/** Answers commands from a script and records what was run. */
export class ScriptedCommands {
  readonly calls: string[] = [];
  private readonly script: { match: RegExp; result: CommandResult }[] = [];

  on(match: RegExp, result: Partial<CommandResult>): this {
    this.script.push({ match, result: { code: 0, stdout: '', stderr: '', timedOut: false, ...result } });
    return this;
  }

  readonly run: RunCommand = async (file, args) => {
    const line = [file, ...args].join(' ');
    this.calls.push(line);
    const hit = this.script.find((s) => s.match.test(line));
    if (!hit) throw new Error(`unscripted command: ${line}`);
    return hit.result;
  };
}
