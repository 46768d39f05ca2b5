import { echoTiming } from '../../application/index.js';

/**
 * Which channels a heartbeat takes, and how long a quiet peer still counts as heard: pure functions of the echo
 * settings, the clock reading and what the transport knows of each peer. The group always carries every heartbeat.
 */
type Echo = { readonly intervalMs: number; readonly timeoutMs: number };

/** What the policy reads of one peer's link. */
export interface LinkFacts {
  /** When a valid heartbeat of the peer last arrived on the group, and one asking for TCP. */
  readonly heardOnGroupAt: number;
  readonly askedForTcpAt: number;
  /** When a heartbeat last went out on the link, and in which state. */
  readonly lastSentAt: number;
  readonly lastSentState: string;
}

/**
 * Whether a peer was heard (on the group, or asking for TCP) recently enough to count (EchoTiming.groupHeardWindowMs).
 * It ends well before the peer counts as gone: then a relayed frame asks the peer for TCP, and it answers at once.
 */
export function recent(at: number, now: number, echo: Echo): boolean {
  return now - at <= echoTiming(echo).groupHeardWindowMs;
}

/**
 * Where the group carries a peer's heartbeats both ways, its TCP link needs a frame only on a change of state
 * (which must arrive even if its datagram is lost), and from the master now and then: if the group stops
 * carrying the master's heartbeats, the backups' leases must not run out before they can ask for TCP.
 * A peer we do not hear on the group, or that asked for TCP, gets every heartbeat; `everyChannel` sends to all.
 * `state` stands for all the node's addresses' states (several: one string of them), `master` for any of them.
 */
export function sendsOnTcp(link: LinkFacts, state: string, now: number, echo: Echo, everyChannel = false, master = state === 'MASTER'): boolean {
  if (everyChannel || link.lastSentState !== state) return true;
  if (!recent(link.heardOnGroupAt, now, echo) || recent(link.askedForTcpAt, now, echo)) return true;
  return master && now - link.lastSentAt >= echoTiming(echo).tcpRepeatDueAfterMs;
}

/** A peer we do not hear on the group is asked, in each TCP frame, to send us its heartbeats over TCP too. */
export function asksForTcp(link: LinkFacts, now: number, echo: Echo): boolean {
  return !recent(link.heardOnGroupAt, now, echo);
}

/** A peer that starts asking for TCP gets our last heartbeat at once: its lease on us may be running out. */
export function answersAskAtOnce(askedBefore: number, now: number, echo: Echo): boolean {
  return !recent(askedBefore, now, echo);
}

/** Whether the transport still remembers the peer as heard on the group or asking for TCP (the counters' figure). */
export function remembered(link: LinkFacts, now: number, echo: Echo): boolean {
  return recent(link.heardOnGroupAt, now, echo) || recent(link.askedForTcpAt, now, echo);
}

/** How long an inbound connection may carry nothing valid: three heartbeats, at least a second. */
export function idleLimitMs(echo: Echo): number {
  return echoTiming(echo).idleLimitMs;
}

/**
 * Only whole, valid heartbeats keep an inbound connection open: a silent or trickling client is cut off within two
 * idle limits. An identified peer may be a backup, which speaks once per quiet period; one heard on the group sends
 * on its connection only when its state changes. Either way it stays open.
 */
export function idleConnectionCloses(conn: { readonly identified: boolean; readonly lastFrameAt: number }, heardOnGroupAt: number, now: number, echo: Echo): boolean {
  if (now - conn.lastFrameAt < idleLimitMs(echo)) return false;
  return !(conn.identified && (recent(conn.lastFrameAt, now, echo) || recent(heardOnGroupAt, now, echo)));
}
