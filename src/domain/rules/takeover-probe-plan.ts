import type { Lease } from '../entities/lease.js';
import type { TransitionCause } from '../node-state.js';
import type { EchoTiming } from '../timing/echo-timing.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';

/** How a takeover checks that no other host answers for the address before it binds. */
export interface ProbePlan {
  readonly skipProbe: boolean;
  /** A shorter deadline than the probe's own; absent: the probe's own. */
  readonly probeDeadlineMs?: number;
  /** The one host whose answer for the address does not block the bind (its daemon stalled). */
  readonly displace?: Ipv4Address;
}

export interface TakeoverContext {
  readonly cause: TransitionCause;
  /** The previous holder said it released the address. */
  readonly handover: boolean;
  /** The pre-expiry probe, run while the master was silent throughout, found the address free. */
  readonly preProbedFree: boolean;
  /** The lease this node granted the master it is taking over from. */
  readonly lease: Lease | null;
  /**
   * Without a lease: the best peer gone silent, which may have bound the address and stalled before this node heard
   * it as master (a daemon that stops right after its bind).
   */
  readonly silentPeer?: Ipv4Address;
}

/**
 * A handover needs no probe (the holder said it let go), nor does a takeover at the end of a silent lease whose
 * pre-expiry probe found the address free. A refused reconnect proves the holder's daemon dead on a live host,
 * whose release guard is removing the address: a short probe still catches a guard that failed, and only that.
 * A master silent for its whole lease whose host still answers has a stalled daemon (a blocked event loop,
 * SIGSTOP): its clients get no service, so the address is taken from that host, and only from it; so is a node that
 * went silent before this one heard it as master, whose host answers for the address. A host silent to
 * every probe for the host timeout is gone, and the address with it: a short probe catches the host that still holds
 * it after all, and that host is not displaced.
 */
export function probePlanFor(t: TakeoverContext, timing: EchoTiming): ProbePlan {
  const displace = t.cause === 'timeout' && t.lease ? t.lease.holder : t.cause === 'elected' && !t.lease ? t.silentPeer : undefined;
  return {
    skipProbe: t.handover || t.preProbedFree,
    ...(t.cause === 'daemon-gone' || t.cause === 'host-silent' ? { probeDeadlineMs: timing.quickProbeMs } : {}),
    ...(displace ? { displace } : {}),
  };
}
