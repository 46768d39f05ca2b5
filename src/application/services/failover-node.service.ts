import { inject, injectable } from 'inversify';
import {
  fenceAt,
  initialState,
  isHalted,
  step,
  type Effect,
  type HeartbeatMessage,
  type Ipv4Address,
  type MachineConfig,
  type MachineEvent,
  type MachineState,
  type NodeState,
  type StateChange,
} from '../../domain/index.js';
import { NODE_SETTINGS, addressesOf, echoTiming, type NodeSettings } from '../node-settings.js';
import { QUORUM_PORT, type QuorumPort } from '../ports/quorum.port.js';
import { RELEASE_GUARD_PORT, type ReleaseGuardPort } from '../ports/release-guard.port.js';
import { CLOCK_PORT, type ClockPort } from '../ports/clock.port.js';
import { CONFLICT_PROBE_PORT, type ConflictProbePort } from '../ports/conflict-probe.port.js';
import { HOST_PROBE_PORT, type HostProbePort } from '../ports/host-probe.port.js';
import { LOGGER_PORT, type LoggerPort } from '../ports/logger.port.js';
import { ANNOUNCER_PORT, type AnnouncerPort } from '../ports/announcer.port.js';
import { METRICS_PORT, type MetricsPort } from '../ports/metrics.port.js';
import { NOTIFIER_PORT, type NotifierPort } from '../ports/notifier.port.js';
import { PEER_TRANSPORT_PORT, type HeartbeatOrigin, type PeerTransportPort, type TransportListener } from '../ports/peer-transport.port.js';
import { NODE_HEALTH, type NodeHealth } from './shared-health.service.js';
import { NodeTimers } from './node-timers.js';
import { QuorumLink } from './quorum-link.js';
import { StateChanges } from './state-changes.js';
import { OperationQueue } from './operation-queue.js';
import { PortEffects, isPortEffect } from './port-effects.js';
import { projectStatus, type NodeStatus } from './node-status.projection.js';
import { BindAddress } from '../use-cases/bind-address.use-case.js';
import { UnitAddresses } from './unit-addresses.js';
import { ElectMaster } from '../use-cases/elect-master.use-case.js';
import { ReleaseAddress } from '../use-cases/release-address.use-case.js';
import { VerifyHolder } from '../use-cases/verify-holder.use-case.js';
import { errorText } from '../errors.js';

/**
 * The driver of one address's machine (src/domain/machine): it turns what happens (heartbeats, a lost peer, a
 * deadline, a check's change, an operation's end) into events, steps the machine, and runs the effects it returns
 * through the ports and use cases. It owns the timers and the running operations; it decides nothing.
 */
@injectable()
export class FailoverNode implements TransportListener {
  private readonly machine: MachineState;
  private readonly timers: NodeTimers;
  private readonly operations = new OperationQueue();
  private readonly portEffects: PortEffects;
  private readonly unit: UnitAddresses;
  /** The probe run just before the master's lease ran out: whether it found the address free. */
  private preProbe: Promise<boolean> | null = null;
  private goodbye: Promise<boolean> = Promise.resolve(false);
  private readonly changes: StateChanges;
  /** the master's host the machine asked to probe (echo.host_timeout_in_ms) */
  private watchedHost: Ipv4Address | null = null;
  private readonly quorumLink: QuorumLink;

  constructor(
    @inject(NODE_SETTINGS) private settings: NodeSettings,
    @inject(CLOCK_PORT) private readonly clock: ClockPort,
    @inject(PEER_TRANSPORT_PORT) private readonly transport: PeerTransportPort,
    @inject(ANNOUNCER_PORT) announcer: AnnouncerPort,
    @inject(LOGGER_PORT) private readonly logger: LoggerPort,
    @inject(ElectMaster) private readonly elect: ElectMaster,
    @inject(BindAddress) private readonly bindAddress: BindAddress,
    @inject(ReleaseAddress) private readonly releaseAddress: ReleaseAddress,
    @inject(NODE_HEALTH) private readonly health: NodeHealth,
    @inject(NOTIFIER_PORT) private readonly notifier: NotifierPort,
    @inject(METRICS_PORT) private readonly metrics: MetricsPort,
    @inject(CONFLICT_PROBE_PORT) private readonly conflictProbe: ConflictProbePort,
    @inject(VerifyHolder) private readonly verifyHolder: VerifyHolder,
    @inject(HOST_PROBE_PORT) private readonly hostProbe: HostProbePort,
    @inject(QUORUM_PORT) quorum: QuorumPort,
    @inject(RELEASE_GUARD_PORT) guard: ReleaseGuardPort,
  ) {
    this.machine = initialState(this.configOf(settings));
    this.timers = new NodeTimers(clock);
    this.changes = new StateChanges(() => this.settings, { logger, metrics: this.metrics, notifier: this.notifier });
    this.quorumLink = new QuorumLink(quorum, () => this.settings, logger, this.metrics, guard, () => addressesOf(this.settings));
    this.unit = new UnitAddresses(bindAddress, releaseAddress, () => addressesOf(this.settings));
    this.portEffects = new PortEffects({ transport, announcer, logger, metrics, clock, guard }, () => addressesOf(this.settings));
    // alive as in status(): heard within its timeout, and neither lost nor stopping
    this.metrics.watchPeers(() => {
      const now = this.clock.now();
      return this.machine.peers.values().map((p) => ({ peer: p.id.toString(), up: p.isAlive(now, this.machine.config.timing) }));
    });
  }

  get state(): NodeState {
    return this.machine.role;
  }

  get effectivePriority(): number {
    return this.settings.priority.lessPenalty(this.health.penalty()).value;
  }

  /** A node that hears no master this long after start takes over (see EchoTiming.listenWindowMs). */
  get listenWindowMs(): number {
    return this.machine.config.timing.listenWindowMs;
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
    this.dispatch({ kind: 'reconfigured', config: this.configOf(next) });
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    return this.changes.listen(listener);
  }

  status(): NodeStatus {
    const now = this.clock.now();
    const { machine } = this;
    return projectStatus({
      settings: this.settings,
      state: machine.role,
      effectivePriority: this.effectivePriority,
      term: machine.term,
      lease: machine.lease && !machine.lease.isExpired(now) ? machine.lease : null,
      lastChange: this.changes.last,
      peers: machine.peers.values(),
      checks: this.health.results(),
      witnessOkAt: this.health.witnessOkAt(),
      now,
      timing: machine.config.timing,
      quorum: this.settings.quorum ? machine.quorum.key : undefined,
      fenceAt: fenceAt(machine),
    });
  }

  async start(): Promise<void> {
    if (this.machine.role !== 'STOPPED') throw new Error(`cannot start: node is ${this.machine.role}`);
    // The transport first: if its port is taken, this node never ran and must not touch the address.
    await this.transport.start(this);
    await this.quorumLink.join((e) => this.dispatch(e));
    this.dispatch({ kind: 'start' });
  }

  /** Graceful stop: a master releases the address and tells its peers, so the best backup takes over at once. */
  async stop(reason = 'stop requested'): Promise<void> {
    if (isHalted(this.machine)) return;
    this.dispatch({ kind: 'stop', reason });
    // a stop asked for from inside a step (a state listener): the rest of that step's effects run first
    await Promise.resolve();
    await this.operations.drain();
    const released = await this.unit.release().then(
      (removed) => ({ removed }),
      (err: unknown) => ({ removed: false, error: errorText(err) }),
    );
    const releasedOk = !('error' in released);
    await this.quorumLink.beforeGoodbye(releasedOk);
    this.dispatch({ kind: 'stop-released', ...released });
    const told = await this.goodbye;
    await this.transport.stop();
    await this.quorumLink.leave(releasedOk);
    this.dispatch({ kind: 'stopped', told });
  }

  onHeartbeat(message: HeartbeatMessage, origin: HeartbeatOrigin): void {
    this.dispatch({ kind: 'heartbeat', message, trusted: origin.via === 'tcp' || origin.signed });
  }

  onPeerLost(id: Ipv4Address, detail: string): void {
    this.dispatch({ kind: 'peer-lost', id, detail });
  }

  private configOf(settings: NodeSettings): MachineConfig {
    return {
      address: settings.address,
      localIp: settings.localIp,
      priority: settings.priority,
      preempt: settings.preempt,
      timing: echoTiming(settings.echo, this.conflictProbe.deadlineMs),
      witnesses: settings.witnesses,
      resolvesMacs: this.conflictProbe.resolvesMacs,
      election: { decide: (view) => this.elect.execute(view) },
      quorum: settings.quorum ? { onLoss: settings.quorum.onLoss } : null,
    };
  }

  /** One step of the machine, with the time and the node's health of this moment; its effects run in order. */
  private dispatch(event: MachineEvent): void {
    const health = { penalty: this.health.penalty(), fatal: this.health.fatal(), witnessOkAt: this.health.witnessOkAt() };
    const hostAnsweredAt = this.watchedHost ? this.hostProbe.answeredAt(this.watchedHost) : null;
    for (const effect of step(this.machine, event, { now: this.clock.now(), health, hostAnsweredAt })) this.runSafely(effect);
  }

  /** A port that throws where it should have rejected costs its effect and a line, not the rest of the step. */
  private runSafely(e: Effect): void {
    try {
      this.run(e);
    } catch (err) {
      this.logger.error(`${e.kind} failed: ${errorText(err)}`);
    }
  }

  private run(e: Effect): void {
    if (isPortEffect(e)) {
      this.portEffects.run(e);
      return;
    }
    const address = this.settings.address;
    switch (e.kind) {
      case 'set-timer': {
        // several addresses: a heartbeat tick may come a little early, to share a frame with another address's
        const ms = e.name === 'tick' && this.transport.alignTick ? this.transport.alignTick(e.ms) : e.ms;
        this.timers.set(e.name, ms, () => this.dispatch({ kind: 'timer', name: e.name }));
        return;
      }
      case 'clear-timer':
        this.timers.clear(e.name);
        return;
      case 'clear-timers':
        this.timers.clearAll();
        return;
      case 'wake-after':
        this.timers.after(e.ms, () => this.dispatch({ kind: 'wake' }));
        return;
      case 'bind':
        this.operate(async () => {
          const plan = e.ifPreProbedFree && (await (this.preProbe ?? false)) ? e.ifPreProbedFree : e.plan;
          // the pre-expiry probe looked at the first address only: a group's others are probed as usual
          return { kind: 'bind-done', result: await this.unit.bind(plan, e.plan) };
        });
        return;
      case 'release':
        this.operate(
          async () => {
            if (e.afterMs !== undefined) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, e.afterMs!));
            const began = this.clock.now();
            const removed = await this.unit.release();
            return { kind: 'released', purpose: e.purpose, removed, tookMs: this.clock.now() - began };
          },
          e.purpose,
        );
        return;
      case 'check-holder': {
        const checked = this.verifyHolder.execute({ address, claimant: e.claimant }).then(
          (verdict): MachineEvent => ({ kind: 'holder-checked', purpose: e.purpose, claimant: e.claimant, verdict }),
          (err: unknown): MachineEvent => ({ kind: 'holder-checked', purpose: e.purpose, claimant: e.claimant, verdict: { kind: 'error', error: errorText(err) } }),
        );
        // a rival's check is part of a step-down (a stop waits for it); a master's claim is checked on the side
        if (e.purpose === 'rival') this.operations.run(checked.then((ev) => this.dispatch(ev)));
        else void checked.then((ev) => this.dispatch(ev));
        return;
      }
      case 'pre-probe':
        this.preProbe = this.conflictProbe.probe(address).then(
          (r) => !r.inUse,
          (err: unknown) => {
            this.logger.debug(`pre-expiry probe failed: ${errorText(err)}`);
            return false;
          },
        );
        return;
      case 'watch-host':
        if (this.watchedHost) this.hostProbe.unwatch(this.watchedHost);
        this.watchedHost = e.host;
        if (e.host) this.hostProbe.watch(e.host, e.intervalMs);
        return;
      case 'campaign':
        this.quorumLink.campaign(e.depose, (ev) => this.dispatch(ev));
        return;
      case 'resign':
        this.quorumLink.resign((ev) => this.dispatch(ev));
        return;
      case 'goodbye':
        this.goodbye = this.transport.send(e.message).then(
          () => true,
          (err: unknown) => {
            this.logger.warn(`could not tell peers: ${errorText(err)}`);
            return false;
          },
        );
        return;
      case 'start-health':
        this.health.start(this.settings, () => this.dispatch({ kind: 'health-changed' }));
        return;
      case 'stop-health':
        this.health.stop();
        return;
      case 'transition':
        this.changes.announce(e.change, e.term, e.priority);
        return;
    }
  }

  /** An address operation: its end (or its failure) comes back to the machine as an event. */
  private operate(op: () => Promise<MachineEvent>, purpose?: Extract<MachineEvent, { kind: 'released' }>['purpose']): void {
    this.operations.run(
      op().then(
        (ev) => this.dispatch(ev),
        (err: unknown) => this.dispatch({ kind: 'operation-failed', error: errorText(err), ...(purpose ? { purpose } : {}) }),
      ),
    );
  }
}
