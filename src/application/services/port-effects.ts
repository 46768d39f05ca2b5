import type { Effect, FloatingAddress, LogLine, Metric } from '../../domain/index.js';
import { errorText } from '../errors.js';
import { LogThrottle } from '../log-throttle.js';
import type { AnnouncerPort } from '../ports/announcer.port.js';
import type { ClockPort } from '../ports/clock.port.js';
import type { LoggerPort } from '../ports/logger.port.js';
import type { MetricsPort } from '../ports/metrics.port.js';
import type { PeerTransportPort } from '../ports/peer-transport.port.js';
import type { ReleaseGuardPort } from '../ports/release-guard.port.js';

/** The effects that are one call on a port and need nothing back: heartbeats, announcements, log lines, metrics. */
export type PortEffect = Extract<Effect, { kind: 'send' | 'announce' | 'cancel-announce' | 'forget-neighbours' | 'guard-deadline' | 'log' | 'metric' }>;

const PORT_EFFECTS: ReadonlySet<Effect['kind']> = new Set(['send', 'announce', 'cancel-announce', 'forget-neighbours', 'guard-deadline', 'log', 'metric']);

export function isPortEffect(e: Effect): e is PortEffect {
  return PORT_EFFECTS.has(e.kind);
}

export interface PortEffectPorts {
  readonly transport: PeerTransportPort;
  readonly announcer: AnnouncerPort;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
  readonly clock: ClockPort;
  readonly guard: ReleaseGuardPort;
}

/** Runs port effects for one address. A failed call is a log line: none of them is worth stopping the machine for. */
export class PortEffects {
  /** Lines caused by what peers send (or what is sent in their name), and announcements they ask for: each bounded. */
  private readonly throttles: Record<NonNullable<LogLine['noise']>, LogThrottle>;

  constructor(
    private readonly ports: PortEffectPorts,
    /** the unit's addresses: one, or a group's */
    private readonly addresses: () => readonly FloatingAddress[],
  ) {
    const now = (): number => ports.clock.now();
    this.throttles = { 'peer messages': new LogThrottle(10, now), announcements: new LogThrottle(10, now) };
  }

  run(e: PortEffect): void {
    const { transport, announcer, logger } = this.ports;
    switch (e.kind) {
      case 'send':
        transport.send(e.message, e.everyChannel ? { everyChannel: true } : undefined).catch((err: unknown) => logger.warn(`heartbeat not sent: ${errorText(err)}`));
        return;
      case 'announce':
        for (const address of this.addresses()) {
          announcer.announce(address, e.count).catch((err: unknown) => logger.warn(`announcing ${address.ip.toString()} failed: ${errorText(err)}`));
        }
        return;
      case 'cancel-announce':
        for (const address of this.addresses()) announcer.cancel(address);
        return;
      case 'forget-neighbours':
        // one flush per interface and family: a group's addresses share them
        for (const address of distinctLinks(this.addresses())) {
          announcer.forgetUnresolvedNeighbours(address).catch((err: unknown) => logger.warn(`could not clear unresolved neighbour entries: ${errorText(err)}`));
        }
        return;
      case 'guard-deadline': {
        // the machine's clock time, as a delay from now: the guard is another process with a clock of its own
        const inMs = e.at === null ? null : Math.max(0, e.at - this.ports.clock.now());
        for (const address of this.addresses()) this.ports.guard.deadline(address, inMs);
        return;
      }
      case 'log':
        this.log(e.log);
        return;
      case 'metric':
        this.count(e.metric);
        return;
    }
  }

  private log({ level, line, noise }: LogLine): void {
    const write = (l: string): void => this.ports.logger[level](l);
    if (noise) this.throttles[noise].write(write, line, noise);
    else write(line);
  }

  private count(m: Metric): void {
    const { metrics } = this.ports;
    switch (m.kind) {
      case 'heartbeat-received':
        return metrics.heartbeatReceived();
      case 'heartbeat-sent':
        return metrics.heartbeatSent();
      case 'address-conflict':
        return metrics.addressConflict();
      case 'arp-announced':
        return metrics.arpAnnounced(m.count);
      case 'takeover':
        return metrics.takeover(m.ms);
      case 'state':
        return metrics.state(m.state, m.priority);
    }
  }
}

function distinctLinks(addresses: readonly FloatingAddress[]): FloatingAddress[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = `${a.interfaceName}/${a.family}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
