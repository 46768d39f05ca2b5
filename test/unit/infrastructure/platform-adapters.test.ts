import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import {
  CommandFailedError,
  IfconfigAddressTable,
  Iproute2AddressTable,
  MacosIfconfigAddressTable,
  PingArpingConflictProbe,
  PreconditionError,
  chooseInterface,
  detectPingFlavor,
  parsePing,
  pingArgs,
  preflight,
  type CommandResult,
  type Nic,
} from '../../../src/infrastructure/index.js';
import { anAddress } from '../../support/builders.js';
import * as F from '../../support/command-fixtures.js';
import { ToolDirs } from '../../support/tool-dirs.js';

const linuxVip = anAddress();
const macVip = anAddress('192.168.3.234', 'en0');

describe('Linux net-tools ifconfig adapter', () => {
  it('binds a labelled alias and releases it by label', async () => {
    const cmd = new F.ScriptedCommands().on(/./, {});
    const t = new IfconfigAddressTable('/usr/sbin/ifconfig', cmd.run);
    await t.bind(linuxVip);
    await t.unbind(linuxVip);
    assert.deepEqual(cmd.calls, ['/usr/sbin/ifconfig eth0:fip 198.18.0.100 netmask 255.255.255.0 up', '/usr/sbin/ifconfig eth0:fip down']);
  });
  it('reads the interface back, net-tools and BusyBox layouts alike', async () => {
    for (const out of [F.NET_TOOLS_IFCONFIG_A_BOUND, F.BUSYBOX_IFCONFIG_A_BOUND]) {
      const t = new IfconfigAddressTable('ifconfig', new F.ScriptedCommands().on(/-a$/, { stdout: out }).run);
      assert.equal(await t.holds(linuxVip), true);
      assert.equal(await t.holds(anAddress('198.18.0.101')), false);
    }
  });
  it('a refusal carries the command\'s own message', async () => {
    const t = new IfconfigAddressTable('ifconfig', new F.ScriptedCommands().on(/./, { code: 255, stderr: F.NET_TOOLS_NO_DEVICE }).run);
    await assert.rejects(t.bind(linuxVip), (e: unknown) => e instanceof CommandFailedError && /exit code 255: SIOCSIFADDR: No such device/.test(e.message));
  });
});

describe('Linux iproute2 adapter', () => {
  it('adds with prefix and the same label, deletes by prefix', async () => {
    const cmd = new F.ScriptedCommands().on(/./, {});
    const t = new Iproute2AddressTable('/usr/sbin/ip', cmd.run);
    await t.bind(linuxVip);
    await t.unbind(linuxVip);
    assert.deepEqual(cmd.calls, ['/usr/sbin/ip addr add 198.18.0.100/24 dev eth0 label eth0:fip', '/usr/sbin/ip addr del 198.18.0.100/24 dev eth0']);
    assert.deepEqual(t.releaseCommand(linuxVip), { file: '/usr/sbin/ip', args: ['addr', 'del', '198.18.0.100/24', 'dev', 'eth0'] });
  });
  it('reads the interface back', async () => {
    const bound = new Iproute2AddressTable('ip', new F.ScriptedCommands().on(/show dev eth0/, { stdout: F.IPROUTE2_ADDR_SHOW_BOUND }).run);
    const free = new Iproute2AddressTable('ip', new F.ScriptedCommands().on(/show dev eth0/, { stdout: F.IPROUTE2_ADDR_SHOW_FREE }).run);
    assert.equal(await bound.holds(linuxVip), true);
    assert.equal(await free.holds(linuxVip), false);
  });
  it('binding an address that is already there succeeds, as the port says, once it is read back', async () => {
    const cmd = new F.ScriptedCommands().on(/addr add/, { code: 2, stderr: F.IPROUTE2_EXISTS }).on(/show dev eth0/, { stdout: F.IPROUTE2_ADDR_SHOW_BOUND });
    await new Iproute2AddressTable('ip', cmd.run).bind(linuxVip);
    assert.deepEqual(cmd.calls, ['ip addr add 198.18.0.100/24 dev eth0 label eth0:fip', 'ip -4 -o addr show dev eth0']);
    const missing = new F.ScriptedCommands().on(/addr add/, { code: 2, stderr: F.IPROUTE2_EXISTS }).on(/show dev eth0/, { stdout: F.IPROUTE2_ADDR_SHOW_FREE });
    await assert.rejects(new Iproute2AddressTable('ip', missing.run).bind(linuxVip), /Address already assigned/);
  });
  it('removing an address already gone (a guard removed it) succeeds once it is read back; one still there fails', async () => {
    const gone = new F.ScriptedCommands().on(/addr del/, { code: 2, stderr: F.IPROUTE2_NOT_FOUND }).on(/show dev eth0/, { stdout: F.IPROUTE2_ADDR_SHOW_FREE });
    await new Iproute2AddressTable('ip', gone.run).unbind(linuxVip);
    assert.deepEqual(gone.calls, ['ip addr del 198.18.0.100/24 dev eth0', 'ip -4 -o addr show dev eth0']);
    const still = new F.ScriptedCommands().on(/addr del/, { code: 2, stderr: F.IPROUTE2_NOT_PERMITTED }).on(/show dev eth0/, { stdout: F.IPROUTE2_ADDR_SHOW_BOUND });
    await assert.rejects(new Iproute2AddressTable('ip', still.run).unbind(linuxVip), /Operation not permitted/);
  });
  for (const [what, stderr, pattern] of [
    ['already assigned', F.IPROUTE2_EXISTS, /Address already assigned/],
    ['not found', F.IPROUTE2_NOT_FOUND, /Address not found/],
    ['not permitted', F.IPROUTE2_NOT_PERMITTED, /Operation not permitted/],
  ] as const) {
    it(`a refusal (${what}) carries the kernel's message`, async () => {
      const t = new Iproute2AddressTable('ip', new F.ScriptedCommands().on(/./, { code: 2, stderr }).run);
      await assert.rejects(t.bind(linuxVip), pattern);
    });
  }
});

describe('macOS ifconfig adapter (fixtures only)', () => {
  it('adds and removes an alias on the interface itself', async () => {
    const cmd = new F.ScriptedCommands().on(/./, {});
    const t = new MacosIfconfigAddressTable('/sbin/ifconfig', cmd.run);
    await t.bind(macVip);
    await t.unbind(macVip);
    assert.deepEqual(cmd.calls, ['/sbin/ifconfig en0 alias 192.168.3.234 255.255.255.0', '/sbin/ifconfig en0 -alias 192.168.3.234']);
  });
  it('reads the interface back', async () => {
    assert.equal(await new MacosIfconfigAddressTable('ifconfig', new F.ScriptedCommands().on(/en0$/, { stdout: F.MACOS_IFCONFIG_EN0_BOUND }).run).holds(macVip), true);
    assert.equal(await new MacosIfconfigAddressTable('ifconfig', new F.ScriptedCommands().on(/en0$/, { stdout: F.MACOS_IFCONFIG_EN0_FREE }).run).holds(macVip), false);
  });
  for (const stderr of [F.MACOS_IFCONFIG_EXISTS, F.MACOS_IFCONFIG_NOT_ROOT]) {
    it(`a refusal carries ifconfig's message: ${stderr.trim()}`, async () => {
      const t = new MacosIfconfigAddressTable('ifconfig', new F.ScriptedCommands().on(/./, { code: 1, stderr }).run);
      await assert.rejects(t.bind(macVip), (e: unknown) => e instanceof CommandFailedError && e.message.includes(stderr.trim()));
    });
  }
});

describe('ping dialects', () => {
  it('builds each dialect\'s flags', () => {
    assert.deepEqual(pingArgs('iputils', '198.18.0.100', 'eth0', 250), ['-n', '-c', '1', '-W', '0.250', '-I', 'eth0', '198.18.0.100']);
    assert.deepEqual(pingArgs('busybox', '198.18.0.100', 'eth0', 250), ['-c', '1', '-W', '1', '-I', 'eth0', '198.18.0.100']);
    assert.deepEqual(pingArgs('macos', '192.168.3.234', 'en0', 250), ['-n', '-c', '1', '-W', '250', '-b', 'en0', '192.168.3.234']);
  });
  it('reads each dialect\'s summary', () => {
    for (const reply of [F.IPUTILS_PING_REPLY, F.BUSYBOX_PING_REPLY, F.MACOS_PING_REPLY]) assert.equal(parsePing(reply), 'reply');
    for (const none of [F.IPUTILS_PING_NONE, F.BUSYBOX_PING_NONE, F.MACOS_PING_NONE]) assert.equal(parsePing(none), 'no-reply');
    assert.equal(parsePing(''), 'error');
  });
  it('tells BusyBox from iputils by where ping really lives', () => {
    assert.equal(detectPingFlavor('linux', '/bin/ping', () => '/bin/busybox'), 'busybox');
    assert.equal(detectPingFlavor('linux', '/usr/bin/ping', (p) => p), 'iputils');
    assert.equal(detectPingFlavor('darwin', '/sbin/ping', (p) => p), 'macos');
  });
});

describe('conflict probe', () => {
  const probe = (arp: Partial<CommandResult>, ping: Partial<CommandResult>, arping: string | null = 'arping') =>
    new PingArpingConflictProbe({ file: 'ping', flavor: 'iputils' }, arping, 250, new F.ScriptedCommands().on(/^arping/, arp).on(/^ping/, ping).run);

  it('asks who has an address: the MAC of a reply, null for silence, an error when arping fails', async () => {
    const who = Ipv4Address.create('198.18.0.12');
    assert.equal(await probe({ code: 1, stdout: F.ARPING_DAD_REPLY }, {}).macOf(linuxVip, who), 'fa:7b:fb:c0:35:16');
    assert.equal(await probe({ code: 0, stdout: '' }, {}).macOf(linuxVip, who), null);
    assert.equal(await probe({ code: null, timedOut: true }, {}).macOf(linuxVip, who), null);
    await assert.rejects(probe({ code: 2, stderr: 'arping: socket: Network is down' }, {}).macOf(linuxVip, who), /Network is down/);
    assert.equal(await probe({}, {}, null).macOf(linuxVip, who), null);
  });

  it('an ARP reply is a conflict, naming the MAC', async () => {
    assert.deepEqual(await probe({ code: 1, stdout: F.ARPING_DAD_REPLY }, { code: 1, stdout: F.IPUTILS_PING_NONE }).probe(linuxVip), {
      inUse: true,
      evidence: 'ARP reply for 198.18.0.100 from fa:7b:fb:c0:35:16',
      mac: 'fa:7b:fb:c0:35:16',
    });
  });
  it("an ARP reply taken as arping prints it (arping still running, no exit code) is a conflict, and so is its MAC", async () => {
    const cut = { code: null, stdout: F.ARPING_DAD_REPLY.split('\n').slice(0, 2).join('\n') };
    assert.deepEqual(await probe(cut, { code: 1, stdout: F.IPUTILS_PING_NONE }).probe(linuxVip), {
      inUse: true,
      evidence: 'ARP reply for 198.18.0.100 from fa:7b:fb:c0:35:16',
      mac: 'fa:7b:fb:c0:35:16',
    });
    assert.equal(await probe(cut, {}).macOf(linuxVip, Ipv4Address.create('198.18.0.12')), 'fa:7b:fb:c0:35:16');
  });
  it('an echo reply is a conflict', async () => {
    const r = await probe({ code: 0 }, { code: 0, stdout: F.IPUTILS_PING_REPLY }).probe(linuxVip);
    assert.ok(r.inUse);
  });
  it('silence until the deadline is a free address', async () => {
    assert.deepEqual(await probe({ code: null, timedOut: true }, { code: 1, stdout: F.IPUTILS_PING_NONE }).probe(linuxVip), { inUse: false });
  });
  it('macOS probes with ping alone', async () => {
    const cmd = new F.ScriptedCommands().on(/^ping/, { code: 2, stdout: F.MACOS_PING_NONE });
    const p = new PingArpingConflictProbe({ file: 'ping', flavor: 'macos' }, null, 250, cmd.run);
    assert.deepEqual(await p.probe(macVip), { inUse: false });
    assert.deepEqual(cmd.calls, ['ping -n -c 1 -W 250 -b en0 192.168.3.234']);
  });
  it('a broken tool is an error with its own message, never a free address', async () => {
    await assert.rejects(probe({ code: 2, stderr: F.ARPING_NO_DEVICE }, { code: 1, stdout: F.IPUTILS_PING_NONE }).probe(linuxVip), /Device eth9 not available/);
    await assert.rejects(probe({ code: 0 }, { code: 2, stderr: F.IPUTILS_PING_NO_DEVICE }).probe(linuxVip), /SO_BINDTODEVICE/);
  });
});

describe('address tool selection (address_tool: auto)', () => {
  const tools = new ToolDirs();
  after(() => tools.remove());
  const bin = (...names: string[]): string => tools.bin(...names);
  const root = { uid: 0, capabilities: 0x3000n, platform: 'linux' as const, hintDirs: [] };

  it('Linux: ifconfig when it is on PATH', () => {
    const kit = preflight({ ...root, path: bin('ifconfig', 'ip', 'ping', 'arping', 'xargs') });
    assert.equal(kit.addressTool, 'ifconfig');
  });
  it('Linux: ip when PATH has no ifconfig', () => {
    const kit = preflight({ ...root, path: bin('ip', 'ping', 'arping', 'xargs') });
    assert.equal(kit.addressTool, 'ip');
    assert.match(kit.addressCommand, /\/ip$/);
  });
  it('Linux: neither is one clear error naming both packages', () => {
    assert.throws(() => preflight({ ...root, path: bin('ping', 'arping', 'xargs') }), /install the net-tools package \(ifconfig\) or the iproute2 package \(ip\)/);
  });
  it('an explicit choice that is missing names its package', () => {
    assert.throws(() => preflight({ ...root, addressTool: 'ifconfig', path: bin('ip', 'ping', 'arping', 'xargs') }), /`ifconfig` was not found on PATH: install the net-tools package/);
    assert.throws(() => preflight({ ...root, path: bin('ifconfig', 'ping', 'xargs') }), /`arping` was not found on PATH: install the iputils-arping package/);
  });
  it('macOS: its own ifconfig, no arping needed; ip refused', () => {
    const path = bin('ifconfig', 'ping', 'xargs');
    const kit = preflight({ uid: 0, platform: 'darwin', path, hintDirs: [] });
    assert.equal(kit.addressTool, 'macos-ifconfig');
    assert.equal(kit.arping, null);
    assert.throws(() => preflight({ uid: 0, platform: 'darwin', path, addressTool: 'ip' }), (e: unknown) => e instanceof PreconditionError && /for Linux/.test(e.message));
  });
  it('not root: refused before any tool is looked up', () => {
    assert.throws(() => preflight({ uid: 1000, capabilities: 0n, platform: 'linux', path: '' }), /must run as root/);
  });
});

describe('auto-detection on macOS interface names', () => {
  const nic = (name: string, ip: string): Nic => ({ name, addresses: [{ ip, netmask: '255.255.255.0' }], virtual: false, bridge: false, loopback: false });
  it('skips lo0, bridge100, utun, awdl, llw, anpi and ap interfaces', () => {
    const chosen = chooseInterface([
      { ...nic('lo0', '127.0.0.1'), loopback: true },
      nic('bridge100', '192.168.2.1'),
      nic('utun3', '10.8.0.2'),
      nic('awdl0', '192.168.9.1'),
      nic('llw0', '192.168.9.2'),
      nic('anpi0', '192.168.9.3'),
      nic('ap1', '192.168.9.4'),
      nic('en0', '192.168.3.35'),
    ]);
    assert.equal(chosen?.name, 'en0');
  });
});

describe('gratuitous ARP announcer', () => {
  it('sends one short arping per packet, spaced a second apart, and a release cancels the rest', async () => {
    const { ArpingAnnouncer } = await import('../../../src/infrastructure/index.js');
    const cmd = new F.ScriptedCommands().on(/arping/, {});
    const a = new ArpingAnnouncer('/usr/sbin/arping', cmd.run);
    await a.announce(linuxVip, 3);
    assert.deepEqual(cmd.calls, ['/usr/sbin/arping -U -c 1 -I eth0 198.18.0.100']);
    a.cancel();
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(cmd.calls.length, 1, 'nothing sent after the cancel');
  });

  it('forgets only unresolved neighbour entries, with ip where it is installed, and does nothing without it', async () => {
    const { ArpingAnnouncer } = await import('../../../src/infrastructure/index.js');
    const cmd = new F.ScriptedCommands().on(/neigh/, {});
    await new ArpingAnnouncer('/usr/sbin/arping', cmd.run, '/usr/sbin/ip').forgetUnresolvedNeighbours(linuxVip);
    assert.deepEqual(cmd.calls, ['/usr/sbin/ip neigh flush dev eth0 nud incomplete nud failed']);
    await new ArpingAnnouncer('/usr/sbin/arping', cmd.run, null).forgetUnresolvedNeighbours(linuxVip);
    assert.equal(cmd.calls.length, 1);
  });
});
