import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIfconfig } from '../../../src/infrastructure/index.js';

// Recorded from net-tools 2.10 (Debian 12) and net-tools 1.60 (older distributions).
const NET_TOOLS_2 = `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 198.18.0.11  netmask 255.255.255.0  broadcast 0.0.0.0
        inet6 fe80::484f:27ff:fe4f:469c  prefixlen 64  scopeid 0x20<link>
        ether 4a:4f:27:4f:46:9c  txqueuelen 1000  (Ethernet)

eth0:fip: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 198.18.0.100  netmask 255.255.255.0  broadcast 198.18.0.255
        ether 4a:4f:27:4f:46:9c  txqueuelen 1000  (Ethernet)

lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536
        inet 127.0.0.1  netmask 255.0.0.0
`;
const NET_TOOLS_1 = `eth0      Link encap:Ethernet  HWaddr 4a:4f:27:4f:46:9c
          inet addr:198.18.0.11  Bcast:198.18.0.255  Mask:255.255.255.0
          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1

eth0:fip  Link encap:Ethernet  HWaddr 4a:4f:27:4f:46:9c
          inet addr:198.18.0.100  Bcast:198.18.0.255  Mask:255.255.255.0
`;

describe('ifconfig output', () => {
  for (const [name, text] of [['net-tools 2.x', NET_TOOLS_2], ['net-tools 1.60', NET_TOOLS_1]] as const) {
    it(`reads alias blocks from ${name}`, () => {
      const blocks = parseIfconfig(text);
      assert.deepEqual(blocks.find((b) => b.name === 'eth0:fip')?.inet, ['198.18.0.100']);
      assert.deepEqual(blocks.find((b) => b.name === 'eth0')?.inet, ['198.18.0.11']);
    });
  }
  it('an alias taken down shows no address', () => {
    const blocks = parseIfconfig('eth0:fip: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        ether 4a:4f:27:4f:46:9c\n');
    assert.deepEqual(blocks, [{ name: 'eth0:fip', inet: [], inet6: [] }]);
  });
});
