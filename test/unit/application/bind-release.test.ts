import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressVerificationError, BindAddress, ReleaseAddress } from '../../../src/application/index.js';
import { anAddress } from '../../support/builders.js';
import { CallJournal, FakeAddressTable, FakeAnnouncer, FakeConflictProbe, FakeReleaseGuard, FakeSegment, RecordingLogger } from '../../support/fakes.js';

function setup() {
  const segment = new FakeSegment();
  // one journal for every port, so a test can say what came before what
  const journal = new CallJournal();
  const table = new FakeAddressTable(segment, 'me', journal);
  const probe = new FakeConflictProbe(segment, 'me', journal);
  const announcer = new FakeAnnouncer(journal);
  const guard = new FakeReleaseGuard(journal);
  const bind = new BindAddress(table, probe, announcer, guard, new RecordingLogger());
  const release = new ReleaseAddress(table, guard, announcer);
  return { segment, journal, table, probe, announcer, guard, bind, release };
}

describe('BindAddress', () => {
  it('arms the guard before binding, so a kill right after the bind leaves nothing behind', async () => {
    const t = setup();
    await t.bind.execute({ address: anAddress(), skipProbe: false });
    t.journal.assertInOrder('guard: arm', 'table: bind eth0:fip');
    t.table.assertBound();
    t.guard.assertArmed();
  });

  it('probes, binds, verifies, arms the guard and announces', async () => {
    const t = setup();
    const out = await t.bind.execute({ address: anAddress(), skipProbe: false });
    assert.deepEqual(out, { kind: 'bound', alreadyBound: false });
    assert.equal(t.probe.probes, 1);
    assert.deepEqual(t.table.calls, ['bind eth0:fip']);
    assert.ok(t.guard.armed);
    assert.deepEqual(t.announcer.announcements, [{ address: '198.18.0.100', count: 3 }]);
  });

  it('never binds an address another host answers for', async () => {
    const t = setup();
    t.segment.holders.add('other');
    const out = await t.bind.execute({ address: anAddress(), skipProbe: false });
    assert.equal(out.kind, 'conflict');
    t.table.assertUntouched();
    t.guard.assertDisarmed();
    t.announcer.assertNothingAnnounced();
  });

  it('skips the probe when told to (a handover, or a fresh probe)', async () => {
    const t = setup();
    await t.bind.execute({ address: anAddress(), skipProbe: true });
    assert.equal(t.probe.probes, 0);
  });

  it('without a probe, binds without looking first and announces while the bind is read back', async () => {
    const t = setup();
    assert.deepEqual(await t.bind.execute({ address: anAddress(), skipProbe: true }), { kind: 'bound', alreadyBound: false });
    t.journal.assertInOrder('table: bind eth0:fip', 'announcer: announce 198.18.0.100 x3', 'table: holds');
    assert.equal(t.probe.probes, 0);
  });

  it('keeps an address that is already bound here', async () => {
    const t = setup();
    t.segment.holders.add('me');
    assert.deepEqual(await t.bind.execute({ address: anAddress(), skipProbe: false }), { kind: 'bound', alreadyBound: true });
    assert.deepEqual(t.table.calls, []);
  });

  it('fails with a stable code when the interface does not show the address after binding', async () => {
    const t = setup();
    t.table.bindSilentlyFails = true;
    await assert.rejects(t.bind.execute({ address: anAddress(), skipProbe: false }), (e: unknown) => e instanceof AddressVerificationError && e.code === 'FLOATIP_VERIFY_FAILED');
    assert.equal(t.announcer.cancels, 1, 'the announcement sent during the read-back is withdrawn');
    // the caller releases after a failed bind, which disarms the guard
    await t.release.execute({ address: anAddress() });
    assert.ok(!t.guard.armed);
  });
});

describe('ReleaseAddress', () => {
  it('unbinds, verifies and disarms the guard', async () => {
    const t = setup();
    await t.bind.execute({ address: anAddress(), skipProbe: true });
    assert.deepEqual(await t.release.execute({ address: anAddress() }), { kind: 'released' });
    t.table.assertNotBound();
    t.guard.assertDisarmed();
    t.journal.assertInOrder('announcer: cancel', 'table: unbind eth0:fip');
  });

  it('says so when nothing was bound', async () => {
    const t = setup();
    assert.deepEqual(await t.release.execute({ address: anAddress() }), { kind: 'not-bound' });
    assert.deepEqual(t.table.calls, []);
  });
});
