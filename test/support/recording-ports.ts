import type { LogFields, LoggerPort, MetricsPort, NotifierPort, NotifyEvent, NotifyHooks, PeerLiveness } from '../../src/application/index.js';
import type { NodeState, TransitionCause } from '../../src/domain/index.js';

export class RecordingLogger implements LoggerPort {
  readonly lines: string[] = [];
  /** Each line with the structured fields it carried. */
  readonly entries: { level: string; message: string; fields: LogFields | undefined }[] = [];
  debug(m: string, fields?: LogFields): void {
    this.record('debug', m, fields);
  }
  info(m: string, fields?: LogFields): void {
    this.record('info', m, fields);
  }
  warn(m: string, fields?: LogFields): void {
    this.record('warn', m, fields);
  }
  error(m: string, fields?: LogFields): void {
    this.record('error', m, fields);
  }
  has(fragment: string): boolean {
    return this.lines.some((l) => l.includes(fragment));
  }
  /** The fields of the last line that contains `fragment`. */
  fieldsOf(fragment: string): LogFields | undefined {
    return [...this.entries].reverse().find((e) => e.message.includes(fragment))?.fields;
  }
  private record(level: string, message: string, fields: LogFields | undefined): void {
    this.lines.push(`${level} ${message}`);
    this.entries.push({ level, message, fields });
  }
}

export class RecordingNotifier implements NotifierPort {
  readonly events: NotifyEvent[] = [];
  notify(event: NotifyEvent, _hooks: NotifyHooks): void {
    this.events.push(event);
  }
}

export class RecordingMetrics implements MetricsPort {
  readonly transitions: string[] = [];
  readonly rejected: string[] = [];
  sent = 0;
  received = 0;
  takeovers: number[] = [];
  lastState: NodeState | null = null;
  lastPriority = 0;
  state(state: NodeState, priority: number): void {
    this.lastState = state;
    this.lastPriority = priority;
  }
  transition(from: NodeState, to: NodeState, cause: TransitionCause): void {
    this.transitions.push(`${from}->${to}:${cause}`);
  }
  heartbeatSent(): void {
    this.sent++;
  }
  heartbeatReceived(): void {
    this.received++;
  }
  heartbeatRejected(reason: string): void {
    this.rejected.push(reason);
  }
  takeover(ms: number): void {
    this.takeovers.push(ms);
  }
  conflicts = 0;
  addressConflict(): void {
    this.conflicts++;
  }
  arpAnnounced(): void {}
  checkResult(): void {}
  private peerReader: (() => readonly PeerLiveness[]) | null = null;
  watchPeers(read: () => readonly PeerLiveness[]): void {
    this.peerReader = read;
  }
  /** The peers as a scrape would see them now. */
  peers(): readonly PeerLiveness[] {
    return this.peerReader?.() ?? [];
  }
  readonly reloads: boolean[] = [];
  configReload(successful: boolean): void {
    this.reloads.push(successful);
  }
}
