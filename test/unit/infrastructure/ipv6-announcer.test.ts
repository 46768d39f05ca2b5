// IPv6 on the link, told: na6's unsolicited neighbour advertisements, what they read about the interface, and the
// announcer that picks a family and cancels per address.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArpingAnnouncer, DualStackAnnouncer, LinkFactError, Na6Announcer, PreconditionError, SysfsLinkFacts, type LinkFacts } from '../../../src/infrastructure/index.js';
import { anAddress, anIpv6Address } from '../../support/builders.js';
import * as F from '../../support/command-fixtures.js';

const vip6 = anIpv6Address();
const vip4 = anAddress();
const MAC = '36:7b:26:e6:aa:b8';
const facts = (forwarding: boolean): LinkFacts => ({ mac: () => MAC, forwarding: () => forwarding });

describe('na6 unsolicited neighbour advertisements', () => {
  it('from the address to all nodes, target the address, Ethernet source and target link-layer option the MAC, Override set', () => {
    const a = new Na6Announcer('/usr/sbin/na6', undefined, null, facts(false));
    assert.deepEqual(a.sendCommand(vip6), {
      file: '/usr/sbin/na6',
      args: ['-i', 'eth0', '-s', 'fd00:198:18::234', '-d', 'ff02::1', '-t', 'fd00:198:18::234', '-S', MAC, '-E', MAC, '-o'],
    });
  });
  it('sets the Router flag only while the interface forwards IPv6, read for each packet', () => {
    let forwarding = false;
    const a = new Na6Announcer('na6', undefined, null, { mac: () => MAC, forwarding: () => forwarding });
    assert.ok(!a.sendCommand(vip6).args.includes('-r'));
    forwarding = true;
    assert.deepEqual(a.sendCommand(vip6).args.slice(-2), ['-o', '-r']);
    assert.ok(!a.sendCommand(vip6).args.includes('-c'), 'Solicited stays clear');
  });
  it('sends the first at once; a failure carries what na6 printed', async () => {
    const ok = new F.ScriptedCommands().on(/^na6/, {});
    await new Na6Announcer('na6', ok.run, null, facts(false)).announce(vip6, 1);
    assert.equal(ok.calls.length, 1);
    const broken = new F.ScriptedCommands().on(/^na6/, { code: 1, stdout: F.NA6_NO_DEVICE });
    await assert.rejects(new Na6Announcer('na6', broken.run, null, facts(false)).announce(vip6, 1), /exit code 1: pcap_open_live\(eth9\)/);
  });
  it('forgets only unresolved IPv6 neighbour entries, with ip where it is installed', async () => {
    const cmd = new F.ScriptedCommands().on(/neigh/, {});
    await new Na6Announcer('na6', cmd.run, '/usr/sbin/ip', facts(false)).forgetUnresolvedNeighbours(vip6);
    await new Na6Announcer('na6', cmd.run, null, facts(false)).forgetUnresolvedNeighbours(vip6);
    assert.deepEqual(cmd.calls, ['/usr/sbin/ip -6 neigh flush dev eth0 nud incomplete nud failed']);
  });
});

describe('what an advertisement reads about the interface', () => {
  const files = (map: Record<string, string>) => (path: string): string => {
    const text = map[path];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return text;
  };
  it('the MAC from /sys in lower case, and forwarding from /proc', () => {
    const link = new SysfsLinkFacts(files({ '/sys/class/net/eth0/address': '36:7B:26:E6:AA:B8\n', '/proc/sys/net/ipv6/conf/eth0/forwarding': '1\n' }));
    assert.equal(link.mac('eth0'), MAC);
    assert.equal(link.forwarding('eth0'), true);
    assert.equal(new SysfsLinkFacts(files({ '/proc/sys/net/ipv6/conf/eth0/forwarding': '0\n' })).forwarding('eth0'), false);
  });
  it('an interface that is missing, or has no Ethernet address, is a LinkFactError naming it', () => {
    const isLinkFact = (pattern: RegExp) => (e: unknown) => e instanceof LinkFactError && e.code === 'FLOATIP_LINK_FACT' && pattern.test(e.message);
    assert.throws(() => new SysfsLinkFacts(files({})).mac('eth9'), isLinkFact(/^interface eth9 cannot be read: ENOENT/));
    assert.throws(() => new SysfsLinkFacts(files({ '/sys/class/net/tun0/address': '\n' })).mac('tun0'), isLinkFact(/tun0 has no Ethernet address \(none\)/));
    assert.throws(() => new SysfsLinkFacts(files({ '/sys/class/net/lo/address': '00:00:00:00:00:00\n' })).mac('lo'), isLinkFact(/no Ethernet address/));
  });
});

describe('one announcer for every address', () => {
  const announcers = () => {
    const cmd = new F.ScriptedCommands().on(/^(arping|na6)/, {});
    const announcer = new DualStackAnnouncer(new ArpingAnnouncer('arping', cmd.run), new Na6Announcer('na6', cmd.run, null, facts(false)));
    return { cmd, announcer };
  };
  const sentFor = (calls: string[], ip: string): number => calls.filter((c) => c.endsWith(` ${ip}`) || c.includes(` -t ${ip} `)).length;

  it('announces each family with its own tool', async () => {
    const { cmd, announcer } = announcers();
    await announcer.announce(vip4, 1);
    await announcer.announce(vip6, 1);
    assert.deepEqual(cmd.calls.map((c) => c.split(' ')[0]), ['arping', 'na6']);
  });
  it('a cancel naming an address drops only that address\'s packets still to come; one without drops every address\'s', async () => {
    const other4 = anAddress('198.18.0.101');
    const { cmd, announcer } = announcers();
    await Promise.all([announcer.announce(vip4, 2), announcer.announce(other4, 2), announcer.announce(vip6, 2)]);
    announcer.cancel(vip4);
    await new Promise((r) => setTimeout(r, 1150));
    assert.deepEqual([sentFor(cmd.calls, '198.18.0.100'), sentFor(cmd.calls, '198.18.0.101'), sentFor(cmd.calls, 'fd00:198:18::234')], [1, 2, 2]);

    const again = announcers();
    await Promise.all([again.announcer.announce(vip4, 3), again.announcer.announce(vip6, 3)]);
    again.announcer.cancel(vip6);
    again.announcer.cancel();
    await new Promise((r) => setTimeout(r, 1150));
    assert.equal(again.cmd.calls.length, 2, 'nothing after the cancel of all');
  });
  it('without na6 an IPv6 announcement is refused with the reason, and cancelling it is harmless', async () => {
    const cmd = new F.ScriptedCommands().on(/^arping/, {});
    const announcer = new DualStackAnnouncer(new ArpingAnnouncer('arping', cmd.run), null, 'install ipv6toolkit');
    await assert.rejects(announcer.announce(vip6, 1), (e: unknown) => e instanceof PreconditionError && e.message === 'install ipv6toolkit');
    announcer.cancel(vip6);
    await announcer.announce(vip4, 1);
    assert.deepEqual(cmd.calls, ['arping -U -c 1 -I eth0 198.18.0.100']);
  });
});
