import { inject, injectable } from 'inversify';
import {
  EchoTiming,
  Lease,
  heardWhenDue,
  heirsOf,
  isLonelyMaster,
  isTickless,
  probePlanFor,
  tickPeriodMs,
  tickSpeaks,
  type CadenceView,
  PeerTable,
  isNewerTerm,
  latestTerm,
  nextTerm,
  type HeartbeatMessage,
  type Ipv4Address,
  type NodeState,
  type TransitionCause,
} from '../../domain/index.js';
import { NODE_SETTINGS, echoTiming, type NodeSettings } from '../node-settings.js';
import { CLOCK_PORT, type ClockPort } from '../ports/clock.port.js';
import { CONFLICT_PROBE_PORT, type ConflictProbePort } from '../ports/conflict-probe.port.js';
import { LOGGER_PORT, type LoggerPort } from '../ports/logger.port.js';
import { ANNOUNCER_PORT, type AnnouncerPort } from '../ports/announcer.port.js';
import { METRICS_PORT, type MetricsPort } from '../ports/metrics.port.js';
import { NOTIFIER_PORT, type NotifierPort } from '../ports/notifier.port.js';
import { PEER_TRANSPORT_PORT, type HeartbeatOrigin, type PeerTransportPort, type TransportListener } from '../ports/peer-transport.port.js';
import { HealthMonitor } from './health-monitor.service.js';
import { ClaimChecks } from './claim-checks.service.js';
import { NodeTimers } from './node-timers.js';
import { OperationQueue } from './operation-queue.js';
import { projectStatus, type NodeStatus, type StateChange } from './node-status.projection.js';
import { BindAddress } from '../use-cases/bind-address.use-case.js';
import { ElectMaster, type ElectionDecision } from '../use-cases/elect-master.use-case.js';
import { ReleaseAddress } from '../use-cases/release-address.use-case.js';
import { VerifyHolder } from '../use-cases/verify-holder.use-case.js';
import { errorText } from '../errors.js';
import { LogThrottle } from '../log-throttle.js';

/** Quick looks again after a conflict on that path, for a release guard still removing the address. */
const DAEMON_GONE_RETRIES = 3;

/**
 * The failover state machine of one node: it listens, elects, binds and releases through the use cases,
 * and never touches the network itself.
 */
@injectable()
export class FailoverNode implements TransportListener {
  private current: NodeState = 'STOPPED';
  private term = 0;
  private seq = 0;
  private startedAt = 0;
  private readonly peers = new PeerTable();
  private lease: Lease | null = null;
  private readonly timers: NodeTimers;
  private readonly operations: OperationQueue;
  private readonly claims: ClaimChecks;
  /** The probe run just before the master's lease ran out: when it started, and whether it found the address free. */
  private preProbed: { startedAt: number; free: Promise<boolean> } | null = null;
  /** The lease expiry the last pre-expiry probe was for: one probe per lease term. */
  private preProbedExpiry = -1;
  private lastReassertAt = -Infinity;
  private lastSentAt = -Infinity;
  private lastConflict = '';
  private daemonGoneRetries = 0;
  /** Lines caused by what peers send (or what is sent in their name): a flood costs a bounded number of them. */
  private readonly peerNoise = new LogThrottle(10, () => this.clock.now());
  private readonly reassertNoise = new LogThrottle(10, () => this.clock.now());
  /** The better node this backup waits for to take over, and since when (see waitFor). */
  private waiting: { since: number } | null = null;
  private lastForcedReassertAt = -Infinity;
  private lastForgetAt = -Infinity;
  private readonly listeners = new Set<(change: StateChange) => void>();
  private lastChange: StateChange | null = null;

  constructor(
    @inject(NODE_SETTINGS) private settings: NodeSettings,
    @inject(CLOCK_PORT) private readonly clock: ClockPort,
    @inject(PEER_TRANSPORT_PORT) private readonly transport: PeerTransportPort,
    @inject(ANNOUNCER_PORT) private readonly announcer: AnnouncerPort,
    @inject(LOGGER_PORT) private readonly logger: LoggerPort,
    @inject(ElectMaster) private readonly elect: ElectMaster,
    @inject(BindAddress) private readonly bindAddress: BindAddress,
    @inject(ReleaseAddress) private readonly releaseAddress: ReleaseAddress,
    @inject(HealthMonitor) private readonly health: HealthMonitor,
    @inject(NOTIFIER_PORT) private readonly notifier: NotifierPort,
    @inject(METRICS_PORT) private readonly metrics: MetricsPort,
    @inject(CONFLICT_PROBE_PORT) private readonly conflictProbe: ConflictProbePort,
    @inject(VerifyHolder) private readonly verifyHolder: VerifyHolder,
  ) {
    this.timers = new NodeTimers(clock);
    this.claims = new ClaimChecks(verifyHolder, metrics, logger, this.peerNoise, {
      now: () => this.clock.now(),
      timing: () => this.timing,
      address: () => this.settings.address,
      stopped: () => this.current === 'STOPPED',
      peer: (id) => this.peers.get(id),
      revokeLeaseOf: (peer) => {
        if (this.lease?.isHeldBy(peer.id)) this.lease.revoke(this.clock.now());
      },
      evaluate: () => this.evaluate(),
      recheckSoon: () => this.scheduleRecheck(),
      reassert: (reason) => this.reassert(reason),
      sleep: (ms) => this.sleep(ms),
      resolvesMacs: () => this.conflictProbe.resolvesMacs,
    });
    this.operations = new OperationQueue(
      () => this.evaluate(),
      (err) => {
        this.logger.error(`${this.current}: address operation failed: ${errorText(err)}`);
        return this.cleanupAfterFailure();
      },
    );
    // alive as in status(): heard within its timeout, and neither lost nor stopping
    this.metrics.watchPeers(() => {
      const now = this.clock.now();
      return this.peers.values().map((p) => ({ peer: p.id.toString(), up: p.isAlive(now, this.timing) }));
    });
  }

  get state(): NodeState {
    return this.current;
  }

  get effectivePriority(): number {
    return this.settings.priority.lessPenalty(this.health.penalty());
  }

  /**
   * Applies new timers, priority, preemption, checks, witnesses and hooks without touching the address.
   * The address, interface and identity cannot change here: the caller restarts the node for those.
   */
  reconfigure(next: NodeSettings): void {
    this.settings = next;
    this.health.reconfigure(next);
    this.transport.reconfigure?.(next);
    this.logger.info(`reloaded: priority ${next.priority.value}, heartbeat ${next.echo.intervalMs} ms, timeout ${next.echo.timeoutMs} ms, ${next.checks.length} checks, ${next.witnesses.length} witnesses`);
    this.metrics.state(this.current, this.effectivePriority);
    this.evaluate();
  }

  /** A node that hears no master this long after start takes over (see EchoTiming.listenWindowMs). */
  get listenWindowMs(): number {
    return this.timing.listenWindowMs;
  }

  /** Every period of the rules, from the echo settings and this platform's probe deadline. */
  private get timing(): EchoTiming {
    return echoTiming(this.settings.echo, this.conflictProbe.deadlineMs);
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): NodeStatus {
    const now = this.clock.now();
    return projectStatus({
      settings: this.settings,
      state: this.current,
      effectivePriority: this.effectivePriority,
      term: this.term,
      lease: this.lease && !this.lease.isExpired(now) ? this.lease : null,
      lastChange: this.lastChange,
      peers: this.peers.values(),
      checks: this.health.results(),
      witnessOkAt: this.health.witnessOkAt(),
      now,
      timing: this.timing,
    });
  }

  async start(): Promise<void> {
    if (this.current !== 'STOPPED') throw new Error(`cannot start: node is ${this.current}`);
    // The transport first: if its port is taken, this node never ran and must not touch the address.
    await this.transport.start(this);
    this.startedAt = this.clock.now();
    this.transition('INIT', `starting; listening ${this.listenWindowMs} ms for a live master`, 'start');
    this.health.start(this.settings, () => this.evaluate());
    this.tick();
  }

  /** Graceful stop: a master releases the address and tells its peers, so the best backup takes over at once. */
  async stop(reason = 'stop requested'): Promise<void> {
    if (this.current === 'STOPPED' || this.current === 'STOPPING') return;
    const wasMaster = this.current === 'MASTER';
    this.clearTimers();
    // Set STOPPING before waiting so a running operation cannot schedule more work.
    const from = this.current;
    this.current = 'STOPPING';
    this.health.stop();
    await this.operations.drain();
    let releasedOk = true;
    try {
      const released = await this.releaseAddress.execute({ address: this.settings.address });
      if (released.kind === 'released') this.logger.info(`released ${this.settings.address.toString()}`);
    } catch (err) {
      releasedOk = false;
      this.logger.error(`could not release ${this.settings.address.toString()} while stopping: ${errorText(err)}`);
    }
    let told = true;
    await this.transport.send(this.heartbeat()).catch((err: unknown) => {
      told = false;
      this.logger.warn(`could not tell peers: ${errorText(err)}`);
    });
    await this.transport.stop();
    this.current = from;
    this.transition('STOPPED', wasMaster ? `${reason}; ${this.handoverNote(releasedOk, told)}` : reason, 'stop');
  }

  /**
   * What a stopping master did with the address: it was handed over only to a peer that can take it (not FAULT, not
   * passed over) and was heard when its last heartbeat was due.
   */
  private handoverNote(released: boolean, told: boolean): string {
    if (!released) return 'could not release the address';
    if (heirsOf(this.peers.values(), this.clock.now(), this.timing).length === 0) return 'released the address with no peer to take it over';
    if (!told) return 'released the address, but could not tell the peers: they take it over at the timeout';
    return 'handed the address over to the peers';
  }

  // --- TransportListener -------------------------------------------------

  onHeartbeat(msg: HeartbeatMessage, origin: HeartbeatOrigin): void {
    if (this.current === 'STOPPED' || this.current === 'STOPPING') return;
    if (msg.id.equals(this.settings.localIp)) return;
    if (!msg.vip.equals(this.settings.address.ip)) {
      this.peerNoise.write((l) => this.logger.warn(l), `ignoring ${msg.id.toString()}: it manages ${msg.vip.toString()}, not ${this.settings.address.ip.toString()}`, 'peer messages');
      return;
    }
    const now = this.clock.now();
    const timing = this.timing;
    this.metrics.heartbeatReceived();
    let peer = this.peers.get(msg.id);
    let change;
    if (!peer) {
      peer = this.peers.admit(msg, now, timing, (p) => this.lease?.isHeldBy(p.id) === true) ?? undefined;
      if (!peer) {
        this.peerNoise.write((l) => this.logger.warn(l), `ignoring ${msg.id.toString()}: ${this.peers.size} live peers already, the most a group may have`, 'peer messages');
        return;
      }
      change = msg.state === 'STOPPING' ? 'none' : 'joined';
      if (change === 'joined') this.peerNoise.write((l) => this.logger.info(l), `peer ${msg.id.toString()} joined (priority ${msg.priority}, ${msg.state})`, 'peer messages');
    } else {
      change = peer.observe(msg, now, timing, origin.via === 'tcp' || origin.signed);
      if (change === 'stale') return;
      if (change === 'returned') this.peerNoise.write((l) => this.logger.info(l), `peer ${msg.id.toString()} is back (priority ${msg.priority}, ${msg.state})`, 'peer messages');
    }
    if (this.current === 'MASTER') this.masterHeard(msg, change);
    else {
      this.term = latestTerm(this.term, msg.term);
      if (msg.state === 'MASTER' && !peer.claimConfirmed()) this.claims.checkMaster(peer);
    }
    this.keepLease(msg, change, now);
    // Once more even if this node announced a moment ago: until it let go, the rival still answered the clients,
    // and its own ARP requests (sent from the address) pointed them back at it.
    if (change === 'released' && this.current === 'MASTER') this.reassert(`${msg.id.toString()} released the address`, true);
    // A peer that appears, or comes back after a partition, hears from us now rather than at our next tick,
    // so a split brain is seen from both sides at once.
    if (change === 'joined' || change === 'returned') this.sendHeartbeat();
    else if (msg.state === 'MASTER' && this.current === 'BACKUP' && now - this.lastSentAt >= this.timing.backupDueAfterMs()) {
      // In step with the master: every backup's heartbeat then reaches the others within a millisecond of the
      // master's, and a node reads such a burst in one wake-up instead of one per sender.
      this.sendHeartbeat();
    }
    if ((change === 'stopping' || change === 'released') && !peer.releaseVerified) {
      // Its copy on the peer's own connection is a moment behind, if it is real: wait for it before probing.
      this.timers.after(EchoTiming.UNVERIFIED_RELEASE_WAIT_MS, () => this.evaluate());
    } else if (change !== 'none' || (msg.state === 'MASTER' && this.current === 'MASTER')) this.evaluate();
  }

  onPeerLost(id: Ipv4Address, detail: string): void {
    const peer = this.peers.get(id);
    if (!peer || this.current === 'STOPPED' || this.current === 'STOPPING') return;
    if (peer.lost) return;
    const now = this.clock.now();
    peer.markLost('refused', now);
    this.daemonGoneRetries = 0;
    if (this.lease?.isHeldBy(id)) this.lease.revoke(now);
    this.logger.info(`peer ${id.toString()} lost: ${detail}`);
    this.evaluate();
  }

  // --- internals ----------------------------------------------------------

  /**
   * A master hears another node. One that let go after holding the address in a later term (while this node was
   * cut off) may still have clients following its ARP: this node takes a newer term and wins them back. A master
   * that this node beats (an older term) is about to release: this node's replies to clients found no neighbour
   * while cut off, so they may resolve now rather than at the kernel's next retry. The loser stays quiet: its
   * announcement would only pull clients to a host that is about to release the address.
   */
  private masterHeard(msg: HeartbeatMessage, change: string): void {
    if (msg.state !== 'MASTER' && msg.state !== 'STOPPING' && isNewerTerm(msg.term, this.term)) {
      this.term = nextTerm(msg.term);
      this.forgetNeighbours();
      this.reassert(`${msg.id.toString()} speaks in a newer term (${msg.term}): the address may have moved while this node was cut off`);
    } else if (msg.state === 'MASTER' && (change === 'joined' || change === 'returned' || change === 'became-master') && !isNewerTerm(msg.term, this.term)) {
      this.forgetNeighbours();
    }
  }

  /**
   * A backup waits for a better node to take the address over; one that has not done so two timeouts later (a
   * forged better backup, or a node that cannot) is passed over, and the election goes on without it.
   */
  private waitFor(better: Ipv4Address | undefined): void {
    const now = this.clock.now();
    // the wait is timed from the first better node waited for: two that take turns at the top do not restart it
    if (!better || !this.waiting) {
      this.waiting = better ? { since: now } : null;
      return;
    }
    if (now - this.waiting.since < this.timing.waitForTurnMs) return;
    this.waiting = null;
    this.peers.get(better)?.passOver(now);
    this.peerNoise.write((l) => this.logger.warn(l), `${better.toString()} outranks this node but has not taken the address over: passing it over`, 'peer messages');
    this.evaluate();
  }

  /** At most once an interval: it runs a process, and what peers say asks for it. */
  private forgetNeighbours(): void {
    const now = this.clock.now();
    if (now - this.lastForgetAt < this.timing.repeatAtMostMs) return;
    this.lastForgetAt = now;
    this.announcer
      .forgetUnresolvedNeighbours(this.settings.address)
      .catch((err: unknown) => this.logger.warn(`could not clear unresolved neighbour entries: ${errorText(err)}`));
  }

  private keepLease(msg: HeartbeatMessage, change: string, now: number): void {
    const timing = this.timing;
    if (msg.state === 'MASTER' && this.peers.get(msg.id)?.claimRefuted(now, timing.claimRefutedMs)) return;
    if (msg.state === 'MASTER') {
      if (this.lease?.isHeldBy(msg.id) && this.lease.term === msg.term) this.lease.renew(now);
      else this.lease = Lease.grant(msg.id, msg.term, now, timing.leaseMs);
      this.armExpiry();
    } else if ((change === 'released' || change === 'stopping') && this.lease?.isHeldBy(msg.id)) {
      this.lease.revoke(now);
    }
  }

  /**
   * Evaluate right when the master's lease runs out, not at the next tick; and shortly before, probe the
   * address, so that a host that died silently is taken over at the timeout instead of a probe later.
   * One timer serves both moments. It is set once and re-armed only when it fires early (the lease was renewed
   * meanwhile), not on every heartbeat: each timer that fires wakes an idle daemon, and that is most of its CPU.
   */
  private armExpiry(): void {
    if (!this.lease || this.timers.isSet('expiry')) return;
    const timing = this.timing;
    const { delayMs, probing } = this.lease.wakePlan(this.clock.now(), timing.probeLeadMs, this.preProbedExpiry);
    this.timers.set('expiry', delayMs, () => {
      if (!this.lease || this.lease.isExpired(this.clock.now())) {
        this.evaluate();
        return;
      }
      if (probing && this.lease.dueForProbe(this.clock.now(), timing.probeLeadMs, timing.preProbeMarginMs)) {
        this.preProbedExpiry = this.lease.expiresAt;
        // A tickless backup speaks now, over TCP too, so that every live backup is heard since the master's last
        // heartbeat; at the election, one that was not is presumed gone with the master (see electionRoundSince).
        if (this.current === 'BACKUP') this.sendHeartbeat({ everyChannel: true });
        this.preProbe();
      }
      this.armExpiry();
    });
  }

  private preProbe(): void {
    if (this.current !== 'BACKUP') return;
    const free = this.conflictProbe.probe(this.settings.address).then(
      (r) => !r.inUse,
      (err: unknown) => {
        this.logger.debug(`pre-expiry probe failed: ${errorText(err)}`);
        return false;
      },
    );
    this.preProbed = { startedAt: this.clock.now(), free };
  }

  /** A probe started just before the lease ran out still holds at the takeover (waited for if still running). */
  private async preProbedFree(cause: TransitionCause, now: number): Promise<boolean> {
    const pre = this.preProbed;
    this.preProbed = null;
    if (cause !== 'timeout' || !pre) return false;
    if (now - pre.startedAt > this.timing.preProbeFreshMs) return false;
    return pre.free;
  }

  /** Runs from the tick timer or from start(); a tick already scheduled (by the INIT transition) would be a second chain. */
  private tick(): void {
    this.timers.clear('tick');
    if (this.current === 'STOPPED' || this.current === 'STOPPING') return;
    // The master (and a starting node, to be counted in the election) speaks every interval. A backup's
    // heartbeats only need to keep it alive in its peers' eyes, so it speaks once per quiet period: with many
    // nodes, that is most of the traffic saved. State changes still go out at once.
    if (tickSpeaks(this.cadence(), this.clock.now(), this.lastSentAt, this.timing)) this.sendHeartbeat();
    this.evaluate();
    this.scheduleTick();
  }

  /** Idempotent: evaluate() calls it to restart a tick that stopped. No tick at all where isTickless says so. */
  private scheduleTick(): void {
    if (this.timers.isSet('tick') || this.current === 'STOPPED' || this.current === 'STOPPING') return;
    const cadence = this.cadence();
    if (isTickless(cadence, this.timing)) return;
    const lonely = isLonelyMaster(this.current, this.peers.values(), this.clock.now(), this.timing);
    this.timers.set('tick', tickPeriodMs(cadence, lonely, this.timing), () => this.tick());
  }

  private cadence(): CadenceView {
    return { state: this.current, hearsMaster: this.hearsMaster(), inConflict: this.lastConflict !== '' };
  }

  /** The tick comes again on the period of the current state. */
  private rescheduleTick(): void {
    this.timers.clear('tick');
    this.scheduleTick();
  }

  private hearsMaster(): boolean {
    return this.lease !== null && !this.lease.isExpired(this.clock.now());
  }

  private sendHeartbeat(options?: { everyChannel: boolean }): void {
    this.lastSentAt = this.clock.now();
    this.metrics.heartbeatSent();
    this.transport.send(this.heartbeat(), options).catch((err: unknown) => this.logger.warn(`heartbeat not sent: ${errorText(err)}`));
  }

  private heartbeat(): HeartbeatMessage {
    return {
      id: this.settings.localIp,
      vip: this.settings.address.ip,
      priority: this.effectivePriority,
      state: this.current === 'STOPPED' ? 'STOPPING' : this.current,
      term: this.term,
      preempt: this.settings.preempt,
      seq: ++this.seq,
    };
  }

  private evaluate(): void {
    if (this.current === 'STOPPED' || this.current === 'STOPPING') return;
    if (this.operations.deferIfBusy()) return;
    this.metrics.state(this.current, this.effectivePriority);
    const fault = this.faultReason();
    if (fault && this.current !== 'FAULT') {
      this.operations.run(async () => {
        const released = await this.releaseAddress.execute({ address: this.settings.address });
        this.clearReannounce();
        this.transition('FAULT', `${fault}${released.kind === 'released' ? '; released the address' : ''}`, 'fault');
      });
      return;
    }
    if (!fault && this.current === 'FAULT') {
      this.transition('BACKUP', 'recovered: checks pass and the network answers', 'recovered');
    }
    const decision = this.elect.execute({
      self: { id: this.settings.localIp, priority: this.effectivePriority, state: this.current, term: this.term },
      peers: this.peers.values(),
      lease: this.lease,
      now: this.clock.now(),
      startedAt: this.startedAt,
      timing: this.timing,
      roundSince: this.electionRoundSince(),
    });
    this.apply(decision);
    this.scheduleTick();
  }

  /**
   * The master's last heartbeat, when its lease ran out by silence after this node's pre-expiry round: every live
   * backup spoke in that round, so one not heard since is gone. Not for a revoked lease (a handover), nor where the
   * lease was too short for a round.
   */
  private electionRoundSince(): number | undefined {
    const lease = this.lease;
    if (this.current !== 'BACKUP' || !lease || !lease.isExpired(this.clock.now()) || this.preProbedExpiry !== lease.expiresAt) return undefined;
    return lease.expiresAt - this.timing.leaseMs;
  }

  /** A failing fatal check, or isolation: no witness answered within the master-down timeout, and no peer was heard when due. */
  private faultReason(): string | null {
    const fatal = this.health.fatal();
    if (fatal) return fatal;
    const witnessAt = this.health.witnessOkAt();
    if (witnessAt === null) return null;
    const now = this.clock.now();
    if (now - witnessAt < this.timing.witnessStaleMs) return null;
    const peers = this.peers.values();
    if (peers.some((p) => heardWhenDue(p, now, this.timing))) return null;
    const heard = Math.max(witnessAt, ...peers.filter((p) => !p.lost).map((p) => p.lastSeenAt));
    const witnesses = this.settings.witnesses.map((w) => w.toString()).join(', ');
    return `isolated: no witness (${witnesses}) and no peer answered for ${now - heard} ms`;
  }

  private apply(decision: ElectionDecision): void {
    if (decision.kind !== 'stay') this.waiting = null;
    switch (decision.kind) {
      case 'stay':
        this.waitFor(decision.waitingFor);
        return;
      case 'reassert':
        this.reassert(decision.reason);
        return;
      case 'become-backup':
        this.operations.run(async () => {
          const released = await this.releaseAddress.execute({ address: this.settings.address });
          const stale = released.kind === 'released' ? '; removed the address left bound by an earlier run' : '';
          this.transition('BACKUP', decision.reason + stale, decision.cause);
        });
        return;
      case 'take-over':
        this.operations.run(() => this.takeOver(decision.reason, decision.handover, decision.cause));
        return;
      case 'step-down':
      case 'hand-over':
        this.operations.run(async () => {
          if (decision.kind === 'step-down' && !(await this.claims.rivalHolds(decision.to))) return;
          if (decision.kind === 'step-down') {
            // Stop announcing at once (a pending packet would pull clients back here), tell the winner, and give
            // its announcement a moment to land, so clients move over before this copy of the address disappears.
            this.announcer.cancel();
            this.clearReannounce();
            this.sendHeartbeat();
            await this.sleep(this.timing.splitBrainYieldMs);
          }
          await this.releaseAddress.execute({ address: this.settings.address });
          this.clearReannounce();
          this.transition('BACKUP', decision.reason, decision.cause);
        });
        return;
    }
  }

  private async takeOver(reason: string, handover: boolean, cause: TransitionCause): Promise<void> {
    const started = this.clock.now();
    // a handover's holder let go, and a pre-expiry probe of a master silent throughout still holds: no probe then
    const preProbedFree = !handover && (await this.preProbedFree(cause, started));
    const plan = probePlanFor({ cause, handover, preProbedFree, lease: this.lease }, this.timing);
    const outcome = await this.bindAddress.execute({ address: this.settings.address, ...plan });
    if (outcome.kind === 'conflict') {
      this.metrics.addressConflict();
      // the guard may still be at work: look again shortly rather than at the next heartbeat
      if (cause === 'daemon-gone' && this.daemonGoneRetries++ < DAEMON_GONE_RETRIES) {
        this.timers.after(EchoTiming.QUICK_PROBE_MS, () => this.evaluate());
      }
      if (outcome.evidence !== this.lastConflict) {
        // a host answering ARP with ever new MACs would otherwise write a line per probe
        this.peerNoise.write((l) => this.logger.warn(l), `not taking ${this.settings.address.ip.toString()} over: it is in use by another host (${outcome.evidence})`, 'peer messages');
        this.lastConflict = outcome.evidence;
      }
      if (this.current === 'INIT') this.transition('BACKUP', `address in use by another host (${outcome.evidence})`, 'conflict');
      this.rescheduleTick();
      return;
    }
    this.lastConflict = '';
    this.daemonGoneRetries = 0;
    this.term = nextTerm(latestTerm(this.term, ...this.peers.values().map((p) => p.term)));
    this.lease = null;
    const took = this.clock.now() - started;
    this.metrics.takeover(took);
    this.metrics.arpAnnounced(3);
    const notes = `${outcome.alreadyBound ? ', address was already bound' : ''}${outcome.displaced ? `, taken from the stalled host ${plan.displace?.toString() ?? ''} (${outcome.displaced}) that still answered for it` : ''}`;
    this.transition('MASTER', `${reason} (term ${this.term}, bound in ${took} ms${notes})`, cause);
    this.timers.set('reannounce', EchoTiming.REANNOUNCE_DELAY_MS, () => {
      if (this.current === 'MASTER') this.announce();
    });
  }

  private scheduleRecheck(): void {
    this.timers.ensure('recheck', this.timing.rivalCheckGapMs, () => this.evaluate());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  /**
   * Announces the address again, at most once an interval; `always`: once more even so, when a rival just let go
   * (until then its own ARP could pull clients back), itself at most once an interval, so a peer that flips between
   * MASTER and BACKUP cannot make this node announce at its pace.
   */
  private reassert(reason: string, always = false): void {
    const now = this.clock.now();
    const every = this.timing.repeatAtMostMs;
    if (always ? now - this.lastForcedReassertAt < every : now - this.lastReassertAt < every) return;
    if (always) this.lastForcedReassertAt = now;
    this.lastReassertAt = now;
    // what peers say (or what is said in their name) can ask for this once an interval, for as long as they like
    this.reassertNoise.write((l) => this.logger.info(l), `announcing ${this.settings.address.ip.toString()} again: ${reason}`, 'announcements');
    this.announce();
  }

  private announce(): void {
    this.metrics.arpAnnounced(3);
    this.announcer
      .announce(this.settings.address, 3)
      .catch((err: unknown) => this.logger.warn(`gratuitous ARP failed: ${errorText(err)}`));
  }

  private async cleanupAfterFailure(): Promise<void> {
    if (this.current === 'MASTER') return;
    try {
      await this.releaseAddress.execute({ address: this.settings.address });
    } catch (err) {
      this.logger.error(`cleanup release failed: ${errorText(err)}`);
    }
    if (this.current === 'INIT') this.transition('BACKUP', 'takeover failed; will retry as a backup', 'failed');
  }

  private transition(to: NodeState, reason: string, cause: TransitionCause): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    // Peers hear of the change first, not a quiet period later and not after the log line, hooks and listeners:
    // whoever reacts to those (an operator, a hook, a test killing this node) finds a state the peers already know.
    if (to === 'MASTER' || to === 'BACKUP' || to === 'FAULT') this.sendHeartbeat();
    const change: StateChange = { from, to, reason, cause, at: this.clock.now() };
    this.lastChange = change;
    const { address } = this.settings;
    this.logger.info(`${from} -> ${to}: ${reason}`, { from, to, cause, term: this.term, address: address.ip.toString(), interface: address.interfaceName });
    this.metrics.transition(from, to, cause);
    this.metrics.state(to, this.effectivePriority);
    // a backup's slow tick (or none) must not delay a new master's heartbeats
    if (from === 'BACKUP') this.rescheduleTick();
    else this.scheduleTick();
    if (to === 'MASTER' || to === 'BACKUP' || to === 'FAULT' || to === 'STOPPED') {
      this.notifier.notify(
        { state: to, address: this.settings.address.ip.toString(), interfaceName: this.settings.address.interfaceName, reason },
        this.settings.hooks,
      );
    }
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.logger.warn(`state listener threw: ${errorText(err)}`);
      }
    }
  }

  private clearReannounce(): void {
    this.timers.clear('reannounce');
  }

  private clearTimers(): void {
    this.timers.clearAll();
  }
}
