/**
 * The golden-trace scenario format: one event per line at a virtual time (ms since the scenario began).
 *
 *   # a comment
 *   set timeout=10000 interval=1000          (optional, before any event: the echo timers of every node;
 *                                             host_timeout=150 turns echo.host_timeout_in_ms on)
 *   t=0 start node1 priority=150             (start or join: a new daemon; priority=100 preempt=false by default)
 *   t=20000 join node4 priority=200 preempt=true
 *   t=4000 kill9 node1 guard-delay=40        (daemon gone, host up: peers see the refused reconnect; the release
 *                                             guard removes the address after guard-delay ms, 0 by default)
 *   t=5000 crash node3                       (host gone: no FIN, only silence, and its address goes with it)
 *   t=5000 partition node1 | node2 node3     (every side but the largest must be one node: the fake network isolates nodes)
 *   t=9000 heal
 *   t=12000 sigterm node2                    (graceful stop)
 *   set quorum_ttl=3000                      (quorum mode: an etcd lease of this TTL decides who holds the address)
 *   t=9000 etcd-cut node2                    (quorum mode: the node loses etcd, not its peers; etcd-heal node2 ends it)
 *   t=9000 etcd-down                         (quorum mode: all of etcd gone, no lease runs out meanwhile; etcd-up)
 *   t=30000 end                              (required, last: how long the replay runs)
 *
 * Node names are node1 … node89; nodeN is 198.18.0.(10+N) on the wire and in the logs.
 */
export type ScenarioEvent =
  | { readonly at: number; readonly line: number; readonly kind: 'start'; readonly node: string; readonly priority: number; readonly preempt: boolean }
  | { readonly at: number; readonly line: number; readonly kind: 'kill9'; readonly node: string; readonly guardDelayMs: number }
  | { readonly at: number; readonly line: number; readonly kind: 'crash' | 'sigterm'; readonly node: string }
  | { readonly at: number; readonly line: number; readonly kind: 'partition'; readonly sides: readonly (readonly string[])[] }
  | { readonly at: number; readonly line: number; readonly kind: 'heal' | 'end' | 'etcd-down' | 'etcd-up' }
  | { readonly at: number; readonly line: number; readonly kind: 'etcd-cut' | 'etcd-heal'; readonly node: string };

export interface Scenario {
  readonly name: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** echo.host_timeout_in_ms of every node; absent: off */
  readonly hostTimeoutMs?: number;
  /** quorum mode's lease TTL; absent: the heartbeat mode */
  readonly quorumTtlMs?: number;
  readonly events: readonly ScenarioEvent[];
}

const NODE = /^node([1-9]\d?)$/;
const MAX_TIME_MS = 3_600_000;

export function ipOf(node: string): string {
  const m = NODE.exec(node);
  if (!m || Number(m[1]) > 89) throw new Error(`bad node name "${node}": use node1 … node89`);
  return `198.18.0.${10 + Number(m[1])}`;
}

export function parseScenario(name: string, text: string): Scenario {
  let timeoutMs = 10_000;
  let intervalMs = 1000;
  let hostTimeoutMs: number | undefined;
  let quorumTtlMs: number | undefined;
  const events: ScenarioEvent[] = [];
  const started = new Set<string>();
  const gone = new Set<string>();
  let partitioned = false;
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const fail = (why: string): never => {
      throw new Error(`${name}.scenario line ${line}: ${why}: "${raw.trim()}"`);
    };
    const words = raw.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    if (events.some((e) => e.kind === 'end')) fail('nothing may follow "end"');
    if (words[0] === 'set') {
      if (events.length > 0) fail('"set" must come before the first event');
      const opts = options(words.slice(1), ['timeout', 'interval', 'host_timeout', 'quorum_ttl'], fail);
      quorumTtlMs = opts.quorum_ttl === undefined ? quorumTtlMs : count(opts.quorum_ttl, 'quorum_ttl', fail);
      timeoutMs = opts.timeout === undefined ? timeoutMs : count(opts.timeout, 'timeout', fail);
      intervalMs = opts.interval === undefined ? intervalMs : count(opts.interval, 'interval', fail);
      hostTimeoutMs = opts.host_timeout === undefined ? hostTimeoutMs : count(opts.host_timeout, 'host_timeout', fail);
      if (intervalMs < 1 || intervalMs > timeoutMs) fail('need 1 <= interval <= timeout');
      if (hostTimeoutMs !== undefined && (hostTimeoutMs < 50 || hostTimeoutMs >= timeoutMs)) fail('need 50 <= host_timeout < timeout');
      return;
    }
    const time = /^t=(\d{1,7})$/.exec(words[0] ?? '');
    if (!time) fail('an event starts with t=<ms>');
    const at = Number(time?.[1]);
    if (at > MAX_TIME_MS) fail(`times go up to ${MAX_TIME_MS} ms`);
    const last = events.at(-1);
    if (last && at < last.at) fail(`time goes backwards (after t=${last.at})`);
    const [verb, ...args] = words.slice(1);
    const live = (n: string | undefined): string => {
      if (n === undefined) return fail('name a node');
      ipOf(n);
      if (!started.has(n)) fail(`${n} was not started`);
      if (gone.has(n)) fail(`${n} is already gone`);
      return n;
    };
    switch (verb) {
      case 'start':
      case 'join': {
        const node = args[0] ?? fail('name a node');
        ipOf(node);
        if (started.has(node)) fail(`${node} was started already`);
        const opts = options(args.slice(1), ['priority', 'preempt'], fail);
        const priority = opts.priority === undefined ? 100 : count(opts.priority, 'priority', fail);
        if (priority < 1 || priority > 1000) fail('priority is 1 … 1000');
        if (opts.preempt !== undefined && opts.preempt !== 'true' && opts.preempt !== 'false') fail('preempt is true or false');
        started.add(node);
        events.push({ at, line, kind: 'start', node, priority, preempt: opts.preempt === 'true' });
        return;
      }
      case 'kill9': {
        const node = live(args[0]);
        const opts = options(args.slice(1), ['guard-delay'], fail);
        gone.add(node);
        events.push({ at, line, kind: 'kill9', node, guardDelayMs: opts['guard-delay'] === undefined ? 0 : count(opts['guard-delay'], 'guard-delay', fail) });
        return;
      }
      case 'crash':
      case 'sigterm': {
        if (args.length !== 1) fail(`${verb} takes one node`);
        const node = live(args[0]);
        gone.add(node);
        events.push({ at, line, kind: verb, node });
        return;
      }
      case 'partition': {
        if (partitioned) fail('heal the last partition first');
        const sides = args.join(' ').split('|').map((s) => s.trim().split(/\s+/).filter(Boolean));
        const named = sides.flat();
        if (sides.length < 2 || sides.some((s) => s.length === 0)) fail('give two or more sides, split by |');
        named.forEach(live);
        if (new Set(named).size !== named.length) fail('a node is on two sides');
        const running = [...started].filter((n) => !gone.has(n));
        if (running.some((n) => !named.includes(n))) fail(`name every running node (${running.join(' ')})`);
        const big = Math.max(...sides.map((s) => s.length));
        if (sides.filter((s) => s.length > 1).length > 1 || sides.some((s) => s.length > 1 && s.length < big)) fail('every side but the largest must be one node');
        partitioned = true;
        events.push({ at, line, kind: 'partition', sides });
        return;
      }
      case 'etcd-cut':
      case 'etcd-heal':
        if (quorumTtlMs === undefined) fail(`${verb} needs quorum mode (set quorum_ttl=…)`);
        if (args.length !== 1) fail(`${verb} takes one node`);
        events.push({ at, line, kind: verb, node: live(args[0]) });
        return;
      case 'etcd-down':
      case 'etcd-up':
        if (quorumTtlMs === undefined) fail(`${verb} needs quorum mode (set quorum_ttl=…)`);
        if (args.length > 0) fail(`${verb} takes no arguments`);
        events.push({ at, line, kind: verb });
        return;
      case 'heal':
      case 'end':
        if (args.length > 0) fail(`${verb} takes no arguments`);
        if (verb === 'heal' && !partitioned) fail('nothing to heal');
        partitioned = verb === 'heal' ? false : partitioned;
        events.push({ at, line, kind: verb });
        return;
      default:
        fail(`unknown event "${verb ?? ''}" (start, join, kill9, crash, sigterm, partition, heal, etcd-cut, etcd-heal, etcd-down, etcd-up, end)`);
    }
  });
  if (events.at(-1)?.kind !== 'end') throw new Error(`${name}.scenario: the last event must be "t=<ms> end"`);
  return { name, timeoutMs, intervalMs, ...(hostTimeoutMs === undefined ? {} : { hostTimeoutMs }), ...(quorumTtlMs === undefined ? {} : { quorumTtlMs }), events };
}

function options(words: string[], allowed: string[], fail: (why: string) => never): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  for (const w of words) {
    const [key, value, ...rest] = w.split('=');
    if (key === undefined || value === undefined || rest.length > 0 || !allowed.includes(key)) fail(`expected ${allowed.map((a) => `${a}=…`).join(' ')}`);
    if (key !== undefined && key in out) fail(`${key} given twice`);
    out[key as string] = value as string;
  }
  return out;
}

function count(value: string, what: string, fail: (why: string) => never): number {
  if (!/^\d{1,7}$/.test(value)) fail(`${what} is a whole number`);
  return Number(value);
}
