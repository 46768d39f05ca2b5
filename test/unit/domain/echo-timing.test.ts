import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoTiming, InvalidValueError } from '../../../src/domain/index.js';

/** Every period the rules use, by name: a change to the timing model shows up here as a reviewable diff. */
function periods(t: EchoTiming): Record<string, number | boolean> {
  return {
    listenWindowMs: t.listenWindowMs,
    preemptDelayMs: t.preemptDelayMs,
    backupQuietPeriodMs: t.backupQuietPeriodMs,
    backupDueAfterMs: t.backupDueAfterMs(),
    thirdOfTimeoutMs: t.thirdOfTimeoutMs,
    lonelyMasterPeriodMs: t.lonelyMasterPeriodMs,
    aliveBackupMs: t.aliveWindowMs('BACKUP'),
    aliveMasterMs: t.aliveWindowMs('MASTER'),
    heardWhenDueBackupMs: t.heardWhenDueMs('BACKUP'),
    heardWhenDueMasterMs: t.heardWhenDueMs('MASTER'),
    groupHeardWindowMs: t.groupHeardWindowMs,
    idleLimitMs: t.idleLimitMs,
    linkExpiryMs: t.linkExpiryMs,
    forgetAfterMs: t.forgetAfterMs,
    leaseMs: t.leaseMs,
    probeLeadMs: t.probeLeadMs,
    preProbeFreshMs: t.preProbeFreshMs,
    leaseOutlastsProbe: t.leaseOutlastsProbe,
    quickProbeMs: t.quickProbeMs,
    claimRecheckAfterMs: t.claimRecheckAfterMs,
    claimRefutedMs: t.claimRefutedMs,
    passedOverMs: t.passedOverMs,
    waitForTurnMs: t.waitForTurnMs,
    claimCheckGapMs: t.claimCheckGapMs,
    rivalCheckGapMs: t.rivalCheckGapMs,
    splitBrainYieldMs: t.splitBrainYieldMs,
  };
}

describe('the timing model', () => {
  it('derives every period from a 100 ms heartbeat and a 1 s timeout (the lab settings)', () => {
    assert.deepEqual(periods(EchoTiming.create({ intervalMs: 100, timeoutMs: 1000 })), {
      listenWindowMs: 500,
      preemptDelayMs: 300,
      backupQuietPeriodMs: 1000,
      backupDueAfterMs: 950,
      thirdOfTimeoutMs: 333,
      lonelyMasterPeriodMs: 25,
      aliveBackupMs: 2500,
      aliveMasterMs: 1000,
      heardWhenDueBackupMs: 1100,
      heardWhenDueMasterMs: 1000,
      groupHeardWindowMs: 1500,
      idleLimitMs: 1000,
      linkExpiryMs: 5000,
      forgetAfterMs: 60_000,
      leaseMs: 1000,
      probeLeadMs: 200,
      preProbeFreshMs: 400,
      leaseOutlastsProbe: true,
      quickProbeMs: 30,
      claimRecheckAfterMs: 1000,
      claimRefutedMs: 2000,
      passedOverMs: 10_000,
      waitForTurnMs: 2000,
      claimCheckGapMs: 50,
      rivalCheckGapMs: 50,
      splitBrainYieldMs: 25,
    });
  });

  it("derives them from INFINI's defaults (1 s heartbeat, 10 s timeout) and a slow probe", () => {
    const t = EchoTiming.create({ intervalMs: 1000, timeoutMs: 10_000, probeDeadlineMs: 400 });
    assert.equal(t.listenWindowMs, 3000);
    assert.equal(t.preemptDelayMs, 3000);
    assert.equal(t.thirdOfTimeoutMs, 3333);
    assert.equal(t.lonelyMasterPeriodMs, 250);
    assert.equal(t.aliveWindowMs('BACKUP'), 25_000);
    assert.equal(t.forgetAfterMs, 100_000);
    assert.equal(t.probeLeadMs, 450);
    assert.equal(t.claimCheckGapMs, 500);
    assert.equal(t.rivalCheckGapMs, 250);
    assert.equal(t.splitBrainYieldMs, 25);
  });

  it('a lease too short for the probe lead keeps a backup ticking', () => {
    assert.equal(EchoTiming.create({ intervalMs: 100, timeoutMs: 250 }).leaseOutlastsProbe, false);
  });

  it('refuses periods that are not positive numbers', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => EchoTiming.create({ intervalMs: bad, timeoutMs: 1000 }), InvalidValueError);
      assert.throws(() => EchoTiming.create({ intervalMs: 100, timeoutMs: bad }), InvalidValueError);
    }
  });
});
