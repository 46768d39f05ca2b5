// IPv6 on the link, asked: the ndisc6 conflict probe, and the probe that picks a family.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ipv4Address, Ipv6Address } from '../../../src/domain/index.js';
import { CommandFailedError, DualStackConflictProbe, Ndisc6ConflictProbe, PingArpingConflictProbe, PreconditionError, type CommandResult } from '../../../src/infrastructure/index.js';
import { anAddress, anIpv6Address } from '../../support/builders.js';
import * as F from '../../support/command-fixtures.js';

const vip6 = anIpv6Address();
const vip4 = anAddress();
const ndisc6 = (result: Partial<CommandResult>) => {
  const cmd = new F.ScriptedCommands().on(/^ndisc6/, result);
  return { cmd, probe: new Ndisc6ConflictProbe('ndisc6', 150, cmd.run) };
};

describe('ndisc6 conflict probe', () => {
  it('sends one solicitation on the interface and waits the deadline, quietly and without name lookups', async () => {
    const { cmd, probe } = ndisc6({ code: 2 });
    await probe.probe(vip6);
    await probe.probe(vip6, 80);
    assert.deepEqual(cmd.calls, ['ndisc6 -1 -q -n -r 1 -w 150 fd00:198:18::234 eth0', 'ndisc6 -1 -q -n -r 1 -w 80 fd00:198:18::234 eth0']);
  });
  it('an advertisement is a conflict, naming the MAC in lower case', async () => {
    assert.deepEqual(await ndisc6({ code: 0, stdout: F.NDISC6_QUIET_ANSWER }).probe.probe(vip6), {
      inUse: true,
      evidence: 'neighbour advertisement for fd00:198:18::234 from ea:85:93:94:5b:03',
      mac: 'ea:85:93:94:5b:03',
    });
    assert.deepEqual(await ndisc6({ code: 0, stdout: '' }).probe.probe(vip6), { inUse: true, evidence: 'neighbour advertisement for fd00:198:18::234' });
  });
  it('no response (exit 2), or ndisc6 cut off at our backstop, is a free address', async () => {
    assert.deepEqual(await ndisc6({ code: 2 }).probe.probe(vip6), { inUse: false });
    assert.deepEqual(await ndisc6({ code: null, timedOut: true }).probe.probe(vip6), { inUse: false });
  });
  it('ndisc6 failing is an error with its own message, never a free address', async () => {
    for (const stderr of [F.NDISC6_NO_DEVICE, F.NDISC6_UNREACHABLE]) {
      await assert.rejects(ndisc6({ code: 1, stderr }).probe.probe(vip6), (e: unknown) => e instanceof CommandFailedError && e.message.includes(stderr.trim()));
    }
  });
  it('asks who has an IPv6 address: the MAC of an answer, null for silence', async () => {
    const who = Ipv6Address.create('fd00:198:18::12');
    const answered = ndisc6({ code: 0, stdout: F.NDISC6_QUIET_ANSWER });
    assert.equal(await answered.probe.macOf(vip6, who, 500), 'ea:85:93:94:5b:03');
    assert.deepEqual(answered.cmd.calls, ['ndisc6 -1 -q -n -r 1 -w 500 fd00:198:18::12 eth0']);
    assert.equal(await ndisc6({ code: 2 }).probe.macOf(vip6, who), null);
  });
});

describe('the conflict probe for both families', () => {
  const both = () => {
    const cmd = new F.ScriptedCommands()
      .on(/^arping/, { code: 1, stdout: F.ARPING_DAD_REPLY })
      .on(/^ping/, { code: 1, stdout: F.IPUTILS_PING_NONE })
      .on(/^ndisc6/, { code: 0, stdout: F.NDISC6_QUIET_ANSWER });
    const probe = new DualStackConflictProbe(
      new PingArpingConflictProbe({ file: 'ping', flavor: 'iputils' }, 'arping', 150, cmd.run),
      new Ndisc6ConflictProbe('ndisc6', 150, cmd.run),
    );
    return { cmd, probe };
  };
  it('asks ARP for an IPv4 address and neighbour discovery for an IPv6 one', async () => {
    const { cmd, probe } = both();
    assert.equal((await probe.probe(vip4)).inUse, true);
    assert.equal((await probe.probe(vip6)).inUse, true);
    assert.deepEqual(cmd.calls.map((c) => c.split(' ')[0]).sort(), ['arping', 'ndisc6', 'ping']);
  });
  it('a holder check of an IPv6 address asks the address by NS and the IPv4 claimant by ARP', async () => {
    const { cmd, probe } = both();
    assert.equal(await probe.macOf(vip6, vip6.ip), 'ea:85:93:94:5b:03');
    assert.equal(await probe.macOf(vip6, Ipv4Address.create('198.18.0.12')), 'fa:7b:fb:c0:35:16');
    assert.deepEqual(cmd.calls, ['ndisc6 -1 -q -n -r 1 -w 150 fd00:198:18::234 eth0', 'arping -D -c 1 -w 1 -I eth0 198.18.0.12']);
    assert.equal(probe.resolvesMacs, true);
    assert.equal(probe.deadlineMs, 150);
  });
  it('without ndisc6 an IPv4 address is probed as before and an IPv6 one is refused with the reason', async () => {
    const cmd = new F.ScriptedCommands().on(/^arping/, { code: 0 }).on(/^ping/, { code: 1, stdout: F.IPUTILS_PING_NONE });
    const probe = new DualStackConflictProbe(new PingArpingConflictProbe({ file: 'ping', flavor: 'iputils' }, 'arping', 150, cmd.run), null, 'install ndisc6');
    assert.deepEqual(await probe.probe(vip4), { inUse: false });
    await assert.rejects(probe.probe(vip6), (e: unknown) => e instanceof PreconditionError && e.message === 'install ndisc6');
  });
});
