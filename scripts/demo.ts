// Two real floatip daemons in network namespaces, a TCP service on each and a client connecting to the
// floating IP every 10 ms. The master is killed three ways and the client's outage is measured each time.
import { NetnsLab, removeStaleLabs, type ClientProbe, type LabNode } from './lab/netns-lab.js';

const TIMERS = { timeoutMs: 1000, intervalMs: 100, dialTimeoutMs: 500 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function say(line: string): void {
  console.log(`[demo] ${line}`);
}

async function holder(lab: NetnsLab): Promise<LabNode> {
  await lab.waitFor('exactly one holder', () => lab.holders(), (h) => h.length === 1, 10_000);
  const [name] = await lab.holders();
  return lab.nodes.find((n) => n.name === name)!;
}

async function measure(lab: NetnsLab, probe: ClientProbe, what: string, act: (master: LabNode) => Promise<void>): Promise<number> {
  const master = await holder(lab);
  const other = lab.nodes.find((n) => n !== master)!;
  const t0 = probe.now;
  say(`${what}: master is ${master.name} (${master.ip})`);
  await act(master);
  await lab.waitFor(`${other.name} to answer on the floating IP`, async () => probe.lastAnswer(), (w) => w === other.name, 15_000);
  await sleep(300);
  const outage = probe.longestGap(t0);
  say(`${what}: ${other.name} took over; the client got no answer for ${outage} ms`);
  return outage;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the demo builds network namespaces: run it as root');
  await removeStaleLabs();
  const lab = await NetnsLab.create(2);
  const cleanup = async (): Promise<void> => {
    await lab.destroy();
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    say(`lab ${lab.id}: bridge + ${lab.nodes.map((n) => `${n.name} ${n.ip}`).join(', ')} + client; floating IP 198.18.0.100`);
    say(`timers: heartbeat every ${TIMERS.intervalMs} ms, master dead after ${TIMERS.timeoutMs} ms of silence`);
    for (const n of lab.nodes) await n.startService();
    for (const n of lab.nodes) n.start(TIMERS);
    const probe = lab.startProbe(600_000);
    const first = await holder(lab);
    await lab.waitFor('the client to reach the master', async () => probe.lastAnswer(), (w) => w === first.name, 10_000);
    say(`elected: ${first.name} holds 198.18.0.100 and the client reaches it`);

    const results: [string, number][] = [];
    results.push(['kill -9 (host up)', await measure(lab, probe, 'kill -9 of the master daemon', async (m) => m.daemon!.kill('SIGKILL'))]);
    const killed = lab.nodes.find((n) => !n.daemon!.running)!;
    killed.start(TIMERS);
    await lab.waitFor(`${killed.name} to rejoin as backup`, async () => killed.daemon!.output, (o) => o.includes('-> BACKUP'), 10_000);
    say(`${killed.name} restarted and rejoined as a backup`);

    results.push(['SIGTERM (graceful)', await measure(lab, probe, 'SIGTERM to the master', async (m) => m.daemon!.kill('SIGTERM'))]);
    const stopped = lab.nodes.find((n) => !n.daemon!.running)!;
    stopped.start(TIMERS);
    await lab.waitFor(`${stopped.name} to rejoin as backup`, async () => stopped.daemon!.output, (o) => o.includes('-> BACKUP'), 10_000);

    results.push([
      'host crash (link down + kill -9)',
      await measure(lab, probe, 'crash of the master host', async (m) => {
        await m.unplug();
        m.daemon!.kill('SIGKILL');
      }),
    ]);
    probe.stop();

    console.log('\nclient outage through the floating IP (probe every 10 ms, 50 ms timeout):');
    for (const [what, ms] of results) console.log(`  ${what.padEnd(34)} ${String(ms).padStart(5)} ms`);
    console.log('\nstate changes logged by the daemons:');
    const changes = lab.nodes.flatMap((n) =>
      n.allOutput
        .split('\n')
        .filter((l) => l.includes(' -> '))
        .map((l) => ({ at: l.split(' ')[0] ?? '', line: `${l.split(' ')[0]?.slice(11, 23)} ${n.name}: ${l.replace(/^\S+ \S+\s+/, '')}` })),
    );
    for (const c of changes.sort((a, b) => a.at.localeCompare(b.at))) console.log(`  ${c.line}`);
  } finally {
    await cleanup();
    say('namespaces removed');
  }
}

main().catch((err: unknown) => {
  console.error(`[demo] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
