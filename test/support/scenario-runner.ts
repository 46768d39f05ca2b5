import { Ipv4Address } from '../../src/domain/index.js';
import { FakeClock, settle } from './fake-clock.js';
import { ipOf, type Scenario, type ScenarioEvent } from './golden-scenario.js';
import { TraceCluster } from './trace-recorder.js';

/**
 * Replays a scenario in virtual time on the unit-tier simulation and returns its trace: a header, then one line per
 * node and moment with what the node did at its ports (heartbeats only when what they say changes), the scenario's
 * own events as `--` lines, and where every node ended up.
 */
export async function replay(scenario: Scenario): Promise<string> {
  const clock = new FakeClock();
  const base = clock.now();
  const cluster = new TraceCluster(clock, {
    timeoutMs: scenario.timeoutMs,
    intervalMs: scenario.intervalMs,
    ...(scenario.hostTimeoutMs ? { hostTimeoutMs: scenario.hostTimeoutMs } : {}),
    ...(scenario.quorumTtlMs ? { quorum: { ttlMs: scenario.quorumTtlMs } } : {}),
  });
  const names = new Map<string, string>();
  // a stop runs on while the clock moves on (its operation may wait on a timer); each must have ended by the end
  const stopping: Promise<void>[] = [];
  let shadow: string[] = [];
  /** crashed or killed: the machine left in this process was stopped unheard, and is not what the node did */
  const gone = new Map<string, string>();

  for (const event of scenario.events) {
    await clock.advance(base + event.at - clock.now());
    cluster.trace.mark(describe(event));
    switch (event.kind) {
      case 'start': {
        const ip = ipOf(event.node);
        names.set(event.node, ip);
        await cluster.addNamed(event.node, ip, { priority: event.priority, preempt: event.preempt }).node.start();
        break;
      }
      case 'sigterm':
        stopping.push(cluster.get(ipOf(event.node)).node.stop('SIGTERM received'));
        break;
      case 'crash': {
        const ip = ipOf(event.node);
        cluster.trace.silence(event.node);
        gone.set(event.node, 'host crashed');
        // its etcd session went with it: no renewal, no revoke; etcd ends the lease at its TTL
        if (cluster.store) cluster.session(ip).crash();
        cluster.network.crashHost(ip);
        cluster.segment.powerOff(ip);
        // the process went with its host: stopped unheard (its transport is detached, its address already gone)
        stopping.push(cluster.get(ip).node.stop());
        break;
      }
      case 'kill9': {
        const ip = ipOf(event.node);
        cluster.trace.silence(event.node);
        gone.set(event.node, 'daemon killed');
        if (cluster.store) cluster.session(ip).crash();
        // the release guard removes the address when the daemon dies; the dead daemon's machine is stopped with it
        const guard = (): void => {
          cluster.segment.holders.delete(ip);
          stopping.push(cluster.get(ip).node.stop());
        };
        if (event.guardDelayMs === 0) guard();
        cluster.network.killDaemon(ip, Ipv4Address.create(ip));
        if (event.guardDelayMs > 0) clock.setTimeout(guard, event.guardDelayMs);
        break;
      }
      case 'partition':
        // as SimCluster.partitionFor: no side hears the others, nor sees the address held across the cut
        for (const side of isolated(event.sides)) cluster.network.partition(ipOf(side));
        shadow = [...cluster.segment.holders];
        cluster.segment.holders.clear();
        break;
      case 'heal':
        for (const ip of names.values()) cluster.network.heal(ip);
        for (const h of shadow) if (cluster.segment.hostUp(h)) cluster.segment.holders.add(h);
        shadow = [];
        break;
      case 'etcd-cut':
        cluster.store!.cutOff(ipOf(event.node));
        break;
      case 'etcd-heal':
        cluster.store!.heal(ipOf(event.node));
        break;
      case 'etcd-down':
      case 'etcd-up':
        cluster.store!.setDown(event.kind === 'etcd-down');
        break;
      case 'end':
        break;
    }
    await settle();
  }
  // a stop still waiting on a timer at the end would wait forever: say so instead of hanging
  let stopped = false;
  const all = Promise.all(stopping).then(() => (stopped = true));
  await settle();
  if (!stopped) throw new Error(`${scenario.name}: a stop had not finished at the end (t=${clock.now() - base}): end the scenario later`);
  await all;
  const end = [...names].map(([name, ip]) => {
    if (gone.has(name)) return `${name} ${gone.get(name)}`;
    const s = cluster.get(ip).node.status();
    return `${name} ${s.state} term ${s.term}`;
  });
  const holders = cluster.holders().map((ip) => [...names].find(([, i]) => i === ip)?.[0] ?? ip);
  const host = `${scenario.hostTimeoutMs ? `, host timeout ${scenario.hostTimeoutMs} ms` : ''}${scenario.quorumTtlMs ? `, quorum mode with an etcd lease TTL of ${scenario.quorumTtlMs} ms` : ''}`;
  const header = `# golden trace of ${scenario.name}.scenario (timeout ${scenario.timeoutMs} ms, heartbeat ${scenario.intervalMs} ms${host})\n`;
  const nodes = `# ${[...names].map(([n, ip]) => `${n}=${ip}`).join(' ')}\n`;
  return `${header}${nodes}${cluster.trace.render()}end: ${end.join(', ')}; address held by ${holders.join(', ') || 'nobody'}\n`;
}

/** The nodes the fake network cuts off: all but the largest side, each of them one node (see the parser). */
function isolated(sides: readonly (readonly string[])[]): string[] {
  const largest = sides.reduce((a, b) => (b.length > a.length ? b : a));
  return sides.filter((s) => s !== largest).flat();
}

function describe(e: ScenarioEvent): string {
  switch (e.kind) {
    case 'start':
      return `start ${e.node} priority=${e.priority} preempt=${e.preempt}`;
    case 'kill9':
      return `kill9 ${e.node}${e.guardDelayMs > 0 ? ` guard-delay=${e.guardDelayMs}` : ''}`;
    case 'crash':
    case 'sigterm':
      return `${e.kind} ${e.node}`;
    case 'partition':
      return `partition ${e.sides.map((s) => s.join(' ')).join(' | ')}`;
    case 'etcd-cut':
    case 'etcd-heal':
      return `${e.kind} ${e.node}`;
    default:
      return e.kind;
  }
}
