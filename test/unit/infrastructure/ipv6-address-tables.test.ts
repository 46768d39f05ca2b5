// The address tables with an IPv6 floating address: the command lines per tool, and reading the interface back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ipv6Address } from '../../../src/domain/index.js';
import {
  CommandFailedError,
  IfconfigAddressTable,
  Iproute2AddressTable,
  MacosIfconfigAddressTable,
  ipv6Holds,
  parseIfconfig,
  parseIp6AddrShow,
  parseMacosIfconfig6,
} from '../../../src/infrastructure/index.js';
import { anIpv6Address } from '../../support/builders.js';
import * as F from '../../support/command-fixtures.js';
import { RecordingLogger } from '../../support/fakes.js';

const vip6 = anIpv6Address();
const other6 = anIpv6Address('fd00:198:18::235');
const line = (c: { file: string; args: string[] }): string => [c.file, ...c.args].join(' ');

describe('IPv6 text compared canonically', () => {
  it('two spellings of one address are the same address', () => {
    assert.ok(ipv6Holds(['fd00:198:18:0::234'], Ipv6Address.create('fd00:198:18::234')));
    assert.ok(ipv6Holds(['FD00:0198:0018:0000:0000:0000:0000:0234'], vip6.ip as Ipv6Address));
    assert.ok(!ipv6Holds(['fd00:198:18::2340', 'not an address', ''], vip6.ip as Ipv6Address));
  });
  it('the address is given to the tools in its canonical form, whatever the configuration wrote', () => {
    const t = new Iproute2AddressTable('ip');
    assert.equal(line(t.bindCommand(anIpv6Address('fd00:198:18:0::234'))), 'ip -6 addr add fd00:198:18::234/64 dev eth0 nodad');
  });
});

describe('Linux iproute2 adapter, IPv6', () => {
  it('adds with nodad and no label, and deletes by prefix, both with -6', async () => {
    const cmd = new F.ScriptedCommands().on(/./, {});
    const t = new Iproute2AddressTable('/usr/sbin/ip', cmd.run);
    await t.bind(vip6);
    await t.unbind(vip6);
    assert.deepEqual(cmd.calls, ['/usr/sbin/ip -6 addr add fd00:198:18::234/64 dev eth0 nodad', '/usr/sbin/ip -6 addr del fd00:198:18::234/64 dev eth0']);
  });
  it('reads the interface back with ip -6', async () => {
    const cmd = new F.ScriptedCommands().on(/-6 -o addr show dev eth0$/, { stdout: F.IPROUTE2_ADDR6_SHOW_BOUND });
    const t = new Iproute2AddressTable('ip', cmd.run);
    assert.equal(await t.holds(vip6), true);
    assert.equal(await t.holds(other6), false);
    assert.deepEqual(cmd.calls, ['ip -6 -o addr show dev eth0', 'ip -6 -o addr show dev eth0']);
    assert.deepEqual(parseIp6AddrShow(F.IPROUTE2_ADDR6_SHOW_FREE), ['fd00:198:18::11', 'fe80::347b:26ff:fee6:aab8']);
  });
  it('binding an IPv6 address that is already there succeeds once it is read back; one that is not there still fails', async () => {
    const there = new F.ScriptedCommands().on(/addr add/, { code: 2, stderr: F.IPROUTE2_EXISTS6 }).on(/show/, { stdout: F.IPROUTE2_ADDR6_SHOW_BOUND });
    await new Iproute2AddressTable('ip', there.run).bind(vip6);
    const gone = new F.ScriptedCommands().on(/addr add/, { code: 2, stderr: F.IPROUTE2_EXISTS6 }).on(/show/, { stdout: F.IPROUTE2_ADDR6_SHOW_FREE });
    await assert.rejects(new Iproute2AddressTable('ip', gone.run).bind(vip6), /address already assigned/);
    const missing = new F.ScriptedCommands().on(/./, { code: 2, stderr: F.IPROUTE2_NOT_FOUND6 });
    await assert.rejects(new Iproute2AddressTable('ip', missing.run).unbind(vip6), (e: unknown) => e instanceof CommandFailedError && /address not found/.test(e.message));
  });
});

describe('Linux net-tools ifconfig adapter, IPv6', () => {
  it('with iproute2 installed, binds with ip nodad and releases with ifconfig, so every release is ifconfig', async () => {
    const cmd = new F.ScriptedCommands().on(/./, {});
    const logger = new RecordingLogger();
    const t = new IfconfigAddressTable('/usr/sbin/ifconfig', cmd.run, { ip: '/usr/sbin/ip', logger });
    await t.bind(vip6);
    await t.unbind(vip6);
    assert.deepEqual(cmd.calls, ['/usr/sbin/ip -6 addr add fd00:198:18::234/64 dev eth0 nodad', '/usr/sbin/ifconfig eth0 inet6 del fd00:198:18::234/64']);
    assert.equal(t.releaseCommand(vip6).file, t.releaseTool);
    assert.deepEqual(logger.lines, []);
  });
  it('without iproute2, binds with ifconfig inet6 add and warns once that the address starts tentative', async () => {
    const cmd = new F.ScriptedCommands().on(/./, {});
    const logger = new RecordingLogger();
    const t = new IfconfigAddressTable('ifconfig', cmd.run, { ip: null, logger });
    await t.bind(vip6);
    await t.bind(other6);
    assert.deepEqual(cmd.calls, ['ifconfig eth0 inet6 add fd00:198:18::234/64', 'ifconfig eth0 inet6 add fd00:198:18::235/64']);
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0]!, /^warn .*without duplicate address detection, so it is tentative for 1 to 2 s.*install iproute2/);
  });
  it('reads inet6 lines back from ifconfig -a, net-tools and BusyBox layouts alike', async () => {
    for (const out of [F.NET_TOOLS_IFCONFIG_A_BOUND6, F.BUSYBOX_IFCONFIG_A_BOUND6]) {
      const t = new IfconfigAddressTable('ifconfig', new F.ScriptedCommands().on(/-a$/, { stdout: out }).run);
      assert.equal(await t.holds(vip6), true);
      assert.equal(await t.holds(anIpv6Address('fd00:198:18:0:0::234')), true);
      assert.equal(await t.holds(other6), false);
      assert.equal(await t.holds(anIpv6Address('fd00:198:18::234', 'eth1')), false, 'another interface');
    }
  });
  it('an IPv4 address is not found among the IPv6 lines, nor an IPv6 one among the IPv4 lines', async () => {
    const t = new IfconfigAddressTable('ifconfig', new F.ScriptedCommands().on(/-a$/, { stdout: F.NET_TOOLS_IFCONFIG_A_BOUND }).run);
    assert.equal(await t.holds(vip6), false);
  });
  it('binding with ifconfig an address already there succeeds once it is read back', async () => {
    const cmd = new F.ScriptedCommands().on(/inet6 add/, { code: 1, stderr: F.NET_TOOLS_INET6_EXISTS }).on(/-a$/, { stdout: F.NET_TOOLS_IFCONFIG_A_BOUND6 });
    await new IfconfigAddressTable('ifconfig', cmd.run).bind(vip6);
    const gone = new F.ScriptedCommands().on(/inet6 add/, { code: 1, stderr: F.NET_TOOLS_INET6_EXISTS }).on(/-a$/, { stdout: F.NET_TOOLS_IFCONFIG_A_BOUND });
    await assert.rejects(new IfconfigAddressTable('ifconfig', gone.run).bind(vip6), /exit code 1: SIOCSIFADDR: File exists/);
  });
});

describe('macOS ifconfig adapter, IPv6 (fixtures only)', () => {
  it('adds an inet6 alias with its prefix length and removes it', async () => {
    const cmd = new F.ScriptedCommands().on(/./, {});
    const t = new MacosIfconfigAddressTable('/sbin/ifconfig', cmd.run);
    const mac6 = anIpv6Address('fd00:198:18::234', 'en0');
    await t.bind(mac6);
    await t.unbind(mac6);
    assert.deepEqual(cmd.calls, ['/sbin/ifconfig en0 inet6 fd00:198:18::234 prefixlen 64 alias', '/sbin/ifconfig en0 inet6 fd00:198:18::234 -alias']);
  });
  it('reads inet6 lines back, with or without a zone', async () => {
    assert.deepEqual(parseMacosIfconfig6(F.MACOS_IFCONFIG_EN0_BOUND6), ['fe80::1c7a:2b9f:9e4d:1a2b', 'fd00:198:18::234']);
    const bound = new MacosIfconfigAddressTable('ifconfig', new F.ScriptedCommands().on(/en0$/, { stdout: F.MACOS_IFCONFIG_EN0_BOUND6 }).run);
    const free = new MacosIfconfigAddressTable('ifconfig', new F.ScriptedCommands().on(/en0$/, { stdout: F.MACOS_IFCONFIG_EN0_BOUND }).run);
    assert.equal(await bound.holds(anIpv6Address('fd00:198:18::234', 'en0')), true);
    assert.equal(await bound.holds(anIpv6Address('fd00:198:18::235', 'en0')), false);
    assert.equal(await free.holds(anIpv6Address('fd00:198:18::234', 'en0')), false);
  });
});

describe('ifconfig output, IPv6', () => {
  it('collects the inet6 addresses of each block in both layouts', () => {
    assert.deepEqual(parseIfconfig(F.NET_TOOLS_IFCONFIG_A_BOUND6).map((b) => [b.name, b.inet6]), [
      ['eth0', ['fd00:198:18::234', 'fd00:198:18::11', 'fe80::347b:26ff:fee6:aab8']],
      ['lo', ['::1']],
    ]);
    assert.deepEqual(parseIfconfig(F.BUSYBOX_IFCONFIG_A_BOUND6)[0]?.inet6, ['fd00:198:18::234', 'fe80::347b:26ff:fee6:aab8']);
    assert.deepEqual(parseIfconfig(F.BUSYBOX_IFCONFIG_A_BOUND6)[0]?.inet, ['198.18.0.11']);
  });
});
