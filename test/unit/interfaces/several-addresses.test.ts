import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aMultiSettings, aUnit } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MultiCluster } from '../../support/multi-cluster.js';

const A = '198.18.0.11';
const B = '198.18.0.12';
const V4A = '198.18.0.234';
const V4B = '198.18.0.235';
const V6 = 'fd00:198:18::234';

/** Two gateways, active-active: each prefers one IPv4 address, and A the IPv6 one. */
function activeActive(clock = new FakeClock()): MultiCluster {
  const c = new MultiCluster(clock);
  c.add(A, [aUnit(V4A, 150), aUnit(V4B, 50), aUnit(V6, 150)]);
  c.add(B, [aUnit(V4A, 50), aUnit(V4B, 150), aUnit(V6, 50)]);
  return c;
}

async function startBoth(c: MultiCluster): Promise<void> {
  await c.get(A).service.start();
  await c.get(B).service.start();
  await c.clock.advance(8000);
}

describe('a node of several addresses', () => {
  it('puts each address on the node that prefers it', async () => {
    const c = activeActive();
    await startBoth(c);
    c.segments.assertHeld({ [V4A]: A, [V4B]: B, [V6]: A });
    assert.deepEqual(c.get(A).service.states(), { [V4A]: 'MASTER', [V4B]: 'BACKUP', [V6]: 'MASTER' });
    assert.deepEqual(c.get(B).service.states(), { [V4A]: 'BACKUP', [V4B]: 'MASTER', [V6]: 'BACKUP' });
  });

  it('sends its addresses\' heartbeats together: one frame per interval, and one for the backups\' replies', async () => {
    const c = new MultiCluster(new FakeClock());
    const ips = [1, 2, 3, 4, 5, 6].map((i) => `198.18.0.${200 + i}`);
    c.add(A, ips.map((ip, i) => aUnit(ip, i < 3 ? 150 : 50)));
    c.add(B, ips.map((ip, i) => aUnit(ip, i < 3 ? 50 : 150)));
    await startBoth(c);
    const a = c.get(A).transport;
    const before = { frames: a.frames, sent: a.sent.length };
    await c.clock.advance(10_000);
    const frames = a.frames - before.frames;
    const heartbeats = a.sent.length - before.sent;
    // three masters speak every interval (1 s), and three backups in step with B's masters, once a quiet period
    assert.ok(heartbeats >= 30, `${heartbeats} heartbeats in 10 s`);
    assert.ok(frames * 2.5 <= heartbeats, `${heartbeats} heartbeats in ${frames} frames`);
  });

  it('moves every address of a crashed node to the other within the timeout', async () => {
    const c = activeActive();
    await startBoth(c);
    const crashedAt = c.clock.now();
    c.crash(A);
    let allAt: number | null = null;
    for (let t = 0; t < 6000 && allAt === null; t += 50) {
      await c.clock.advance(50);
      const held = c.segments.holders();
      if ([V4A, V4B, V6].every((ip) => held[ip]?.join() === B)) allAt = c.clock.now();
    }
    assert.ok(allAt !== null, `B does not hold all three: ${JSON.stringify(c.segments.holders())}`);
    assert.ok(allAt - crashedAt <= 3000 + 500, `all three moved after ${allAt - crashedAt} ms`);
    assert.deepEqual(c.get(B).service.states(), { [V4A]: 'MASTER', [V4B]: 'MASTER', [V6]: 'MASTER' });
  });

  it('lets a returning node back in without taking anything from the master', async () => {
    const clock = new FakeClock();
    const c = activeActive(clock);
    await startBoth(c);
    c.crash(A);
    await clock.advance(6000);
    const back = c.add('198.18.0.13', [aUnit(V4A, 150), aUnit(V4B, 50), aUnit(V6, 150)]);
    await back.service.start();
    await clock.advance(10_000);
    c.segments.assertHeld({ [V4A]: B, [V4B]: B, [V6]: B });
    assert.deepEqual(back.service.states(), { [V4A]: 'BACKUP', [V4B]: 'BACKUP', [V6]: 'BACKUP' });
  });

  it('hands every address over on a graceful stop', async () => {
    const c = activeActive();
    await startBoth(c);
    await c.stop(A);
    c.segments.assertHeld({ [V4A]: B, [V4B]: B, [V6]: B });
  });

  it('binds and releases the addresses of a group together', async () => {
    const c = new MultiCluster(new FakeClock());
    const web = (p: number): ReturnType<typeof aUnit> => {
      const u = aUnit(V4A, p, { group: 'web' });
      return { ...u, addresses: [...u.addresses, aUnit(V6, p).addresses[0]!] };
    };
    c.add(A, [web(150), aUnit(V4B, 50)]);
    c.add(B, [web(50), aUnit(V4B, 150)]);
    await startBoth(c);
    c.segments.assertHeld({ [V4A]: A, [V6]: A, [V4B]: B });
    await c.stop(A);
    c.segments.assertHeld({ [V4A]: B, [V6]: B, [V4B]: B });
  });

  it('shows one status row per address', async () => {
    const c = activeActive();
    await startBoth(c);
    const rows = c.get(A).service.status().addresses ?? [];
    assert.deepEqual(
      rows.map((r) => `${r.name} ${r.state}`),
      [`${V4A} MASTER`, `${V4B} BACKUP`, `${V6} MASTER`],
    );
  });

  it('faults only the addresses a fatal check is attached to', async () => {
    const c = new MultiCluster(new FakeClock());
    const check = { name: 'web', target: { kind: 'tcp' as const, host: '127.0.0.1', port: 80 }, intervalMs: 500, timeoutMs: 100, fall: 1, rise: 1, weight: 0, fatal: true, addresses: [V4A] };
    c.add(A, [aUnit(V4A, 150), aUnit(V4B, 150)], (s) => ({ ...s, checks: [check] }));
    c.add(B, [aUnit(V4A, 50), aUnit(V4B, 50)]);
    await startBoth(c);
    c.segments.assertHeld({ [V4A]: A, [V4B]: A });
    c.get(A).health.set('127.0.0.1:80', false);
    await c.clock.advance(3000);
    assert.deepEqual(c.get(A).service.states(), { [V4A]: 'FAULT', [V4B]: 'MASTER' });
    c.segments.assertHeld({ [V4A]: B, [V4B]: A });
  });

  it('runs the hooks once per address, for each address of a group', async () => {
    const c = new MultiCluster(new FakeClock());
    const web = { ...aUnit(V4A, 150, { group: 'web' }), addresses: [aUnit(V4A, 150).addresses[0]!, aUnit(V6, 150).addresses[0]!] };
    c.add(A, [web, aUnit(V4B, 150)]);
    await c.get(A).service.start();
    await c.clock.advance(8000);
    assert.deepEqual(
      c.get(A).notifier.events.map((e) => `${e.state} ${e.address}`).sort(),
      [`MASTER ${V4A}`, `MASTER ${V4B}`, `MASTER ${V6}`],
    );
  });

  it('reloads one address without disturbing the others: a removed one is handed over, an added one starts', async () => {
    const c = activeActive();
    await startBoth(c);
    const b = c.get(B);
    const transitionsOf = (n: typeof b, ip: string): number => n.logger.lines.filter((l) => l.startsWith(`${ip}: `) && / -> /.test(l)).length;
    const before = { a: transitionsOf(c.get(A), V4A), v6: transitionsOf(c.get(A), V6) };
    const V4C = '198.18.0.236';
    const reloading = b.service.reconfigure(aMultiSettings(B, [aUnit(V4A, 50), aUnit(V6, 50), aUnit(V4C, 150)], { timeoutMs: 3000, intervalMs: 1000 }));
    await c.clock.advance(200);
    await reloading;
    await c.clock.advance(8000);
    assert.deepEqual(b.service.states(), { [V4A]: 'BACKUP', [V6]: 'BACKUP', [V4C]: 'MASTER' });
    // V4B was B's: it handed it over to A on the way out
    c.segments.assertHeld({ [V4A]: A, [V4B]: A, [V6]: A, [V4C]: B });
    assert.deepEqual({ a: transitionsOf(c.get(A), V4A), v6: transitionsOf(c.get(A), V6) }, before, 'A\'s other addresses did not move');
  });

  it('runs each check once for all the addresses it weighs on, not once per address', async () => {
    const c = new MultiCluster(new FakeClock());
    const check = { name: 'web', target: { kind: 'tcp' as const, host: '127.0.0.1', port: 80 }, intervalMs: 500, timeoutMs: 100, fall: 1, rise: 1, weight: 10, fatal: false };
    c.add(A, [aUnit(V4A, 150), aUnit(V4B, 150), aUnit(V6, 150)], (s) => ({ ...s, checks: [check] }));
    await c.get(A).service.start();
    const before = c.get(A).health.checksRun;
    await c.clock.advance(5000);
    const runs = c.get(A).health.checksRun - before;
    assert.ok(runs >= 9 && runs <= 11, `${runs} runs of one check in 5 s at 500 ms`);
    c.get(A).health.set('127.0.0.1:80', false);
    await c.clock.advance(1000);
    assert.deepEqual(
      (c.get(A).service.status().addresses ?? []).map((r) => r.effectivePriority),
      [140, 140, 140],
    );
  });
});
