import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoTiming, FloatingAddress, InvalidValueError, Ipv4Address, Lease, Netmask, Priority } from '../../../src/domain/index.js';
import { aHeartbeat, aPeer } from '../../support/builders.js';

/** A one-second master-down timeout: a backup stays alive 2.5 s, any other state 1 s. */
const SECOND = EchoTiming.create({ intervalMs: 100, timeoutMs: 1000 });

describe('Ipv4Address', () => {
  it('parses and prints dotted quads', () => {
    assert.equal(Ipv4Address.create('198.18.0.10').toString(), '198.18.0.10');
    assert.equal(Ipv4Address.create('255.255.255.255').toNumber(), 0xffffffff);
  });
  for (const bad of ['', '1.2.3', '1.2.3.256', '01.2.3.4', 'a.b.c.d', 42, null, '1.2.3.4.5']) {
    it(`refuses ${JSON.stringify(bad)} naming the field`, () => {
      assert.throws(() => Ipv4Address.create(bad, 'local_ip'), (e: unknown) => e instanceof InvalidValueError && e.field === 'local_ip' && e.code === 'FLOATIP_INVALID_VALUE');
    });
  }
});

describe('Netmask', () => {
  it('knows its prefix and subnet', () => {
    const m = Netmask.create('255.255.255.0');
    assert.equal(m.prefixLength, 24);
    assert.ok(m.contains(Ipv4Address.create('198.18.0.1'), Ipv4Address.create('198.18.0.200')));
    assert.ok(!m.contains(Ipv4Address.create('198.18.0.1'), Ipv4Address.create('198.18.1.1')));
    assert.ok(m.isReservedIn(Ipv4Address.create('198.18.0.255')));
  });
  for (const bad of ['255.0.255.0', '255.255.255.255', '0.0.0.0', '255.255.255.254', 'x']) {
    it(`refuses ${bad}`, () => assert.throws(() => Netmask.create(bad), /netmask/));
  }
});

describe('Priority', () => {
  it('accepts 0 (unranked) to 65535: INFINI draws priorities up to 1000', () => {
    assert.equal(Priority.create(254).value, 254);
    assert.equal(Priority.create(1000).value, 1000);
    assert.equal(Priority.create(0).isUnranked, true);
    for (const bad of [-1, 65536, 1.5, '100']) assert.throws(() => Priority.create(bad), /must be an integer from 0 \(unranked\) to 65535/);
  });

  it('less the weights of failing checks: a ranked node stays ranked, an unranked one stays unranked', () => {
    assert.equal(Priority.create(100).lessPenalty(30).value, 70);
    assert.equal(Priority.create(100).lessPenalty(300).value, 1);
    assert.equal(Priority.unranked().lessPenalty(10).value, 0);
  });
});

describe('FloatingAddress', () => {
  const ip = Ipv4Address.create('198.18.0.100');
  const netmask = Netmask.create('255.255.255.0');
  it('names its alias', () => {
    assert.equal(FloatingAddress.create({ ip, netmask, interfaceName: 'eth0', label: 'fip' }).aliasName, 'eth0:fip');
  });
  it('keeps the alias within 15 characters', () => {
    assert.throws(() => FloatingAddress.create({ ip, netmask, interfaceName: 'enp0s31f6abc', label: 'fip' }), /longer than 15 characters/);
  });
  it('refuses the broadcast address of its subnet', () => {
    assert.throws(() => FloatingAddress.create({ ip: Ipv4Address.create('198.18.0.255'), netmask, interfaceName: 'eth0', label: 'fip' }), /broadcast/);
  });
});

describe('Lease', () => {
  it('expires unless renewed, and can be revoked', () => {
    const lease = Lease.grant(Ipv4Address.create('198.18.0.12'), 3, 0, 1000);
    assert.ok(!lease.isExpired(999));
    lease.renew(500);
    assert.ok(!lease.isExpired(1400));
    assert.ok(lease.isExpired(1500));
    lease.revoke(600);
    assert.ok(lease.isExpired(600));
  });
});

describe('PeerNode', () => {
  it('counts a backup alive for 2.5 timeouts (it speaks once per timeout), any other state for one', () => {
    const backup = aPeer().backupHeardAt(0);
    assert.equal(backup.isAlive(2000, SECOND), true, 'one lost heartbeat does not make a backup look gone');
    assert.equal(backup.isAlive(2500, SECOND), false);
    assert.equal(backup.observe(aHeartbeat({ state: 'BACKUP', seq: 2 }), 1900, SECOND), 'none', 'not news: it never looked gone');
    const master = aPeer().masterHeardAt(0);
    assert.equal(master.isAlive(999, SECOND), true);
    assert.equal(master.isAlive(1000, SECOND), false);
  });
  it('reports a master that released the address', () => {
    const p = aPeer().masterHeardAt(0);
    assert.equal(p.observe(aHeartbeat({ state: 'BACKUP' }), 100, SECOND), 'released');
  });
  it('marks a stopping peer lost', () => {
    const p = aPeer().heardAt(0);
    assert.equal(p.observe(aHeartbeat({ state: 'STOPPING' }), 100, SECOND), 'stopping');
    assert.equal(p.isAlive(100, SECOND), false);
  });
  it('ignores an older heartbeat of a live peer (TCP frames queued during a partition), not a restarted one', () => {
    const p = aPeer().withSeq(20).masterHeardAt(0);
    assert.equal(p.observe(aHeartbeat({ state: 'BACKUP', seq: 12 }), 100, SECOND), 'stale');
    assert.equal(p.state, 'MASTER');
    assert.equal(p.observe(aHeartbeat({ state: 'MASTER', seq: 20 }), 150, SECOND), 'stale', 'a duplicate changes nothing');
    assert.equal(p.observe(aHeartbeat({ state: 'INIT', seq: 1 }), 200, SECOND), 'released', 'a restarted daemon starts in INIT and counts from 1');
    assert.equal(p.observe(aHeartbeat({ state: 'BACKUP', seq: 2 }), 300, SECOND), 'none');
    assert.equal(p.observe(aHeartbeat({ state: 'BACKUP', seq: 1 }), 5000, SECOND), 'returned', 'after the timeout any number is heard afresh');
  });
  it('comes back after silence as returned, not as a stale release', () => {
    const p = aPeer().masterHeardAt(0);
    assert.equal(p.observe(aHeartbeat({ state: 'INIT' }), 5000, SECOND), 'returned');
    assert.equal(p.aliveFor(5500), 500);
  });
});
