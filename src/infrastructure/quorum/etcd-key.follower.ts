import type { ClockPort, LoggerPort, TimerHandle } from '../../application/index.js';
import type { QuorumKey } from '../../domain/index.js';
import type { EtcdGateway, EtcdWatchHandle } from './etcd-gateway.client.js';
import { EtcdError, isBefore, type EtcdKv, type StorePoint } from './etcd-json.js';
import { errorWhy } from './etcd-lease.session.js';
import type { WatchEvent } from './etcd-watch.stream.js';
import { ReasonLog } from './reason-log.js';

/** What a follower needs of the quorum adapter. */
export interface FollowerHost {
  readonly client: EtcdGateway;
  readonly clock: ClockPort;
  readonly logger: LoggerPort;
  /** The re-read period, the longest call deadline and the longest watch backoff. */
  readonly intervalMs: number;
  /** What a key holding `kv` (null: absent) means to this node (the session tells whether its lease is ours). */
  stateOf(kv: EtcdKv | null): QuorumKey;
  /** A read failed / succeeded: the adapter logs a run of failures once. */
  readFailed(key: string, why: string): void;
  readOk(): void;
}

function same(a: QuorumKey, b: QuorumKey | null): boolean {
  if (!b || a.kind !== b.kind) return false;
  if (a.kind === 'ours') return a.holdUntil === (b as typeof a).holdUntil;
  if (a.kind === 'held') return a.holder === (b as typeof a).holder && a.lease === (b as typeof a).lease;
  // 'unreachable' by kind only: a new wording of the same outage is no news to the machine
  return true;
}

const WATCH_RETRY_BASE_MS = 250;

/**
 * One key, kept current by a watch from the last revision known and by a read every interval (a watch alone can
 * hang on a dead connection, or miss what happened while it was re-established). What it learns is applied only
 * if it is not older than what it knows, so a slow read cannot undo a newer event.
 */
export class KeyFollower {
  private readonly listeners = new Set<(s: QuorumKey) => void>();
  /** undefined: not read yet; null: absent. */
  private kv: EtcdKv | null | undefined = undefined;
  /** The newest point of the store's history applied; null: none yet. */
  private at: StorePoint | null = null;
  private error: string | null = null;
  private last: QuorumKey | null = null;
  private watch: EtcdWatchHandle | null = null;
  private watchFailures = 0;
  private readTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private reading: Promise<void> | null = null;
  private closed = false;
  private readonly watchLog: ReasonLog;

  constructor(
    readonly key: string,
    private readonly host: FollowerHost,
  ) {
    this.watchLog = new ReasonLog((l) => host.logger.debug(l), () => host.clock.now());
  }

  get empty(): boolean {
    return this.listeners.size === 0;
  }

  /** The revision that created the key as last known (its incarnation), or null. */
  get createRevision(): string | null {
    return this.kv ? this.kv.createRevision : null;
  }

  /** The lease the key was last known to be under ('0': none), or null. */
  get lease(): string | null {
    return this.kv ? this.kv.lease : null;
  }

  add(listener: (s: QuorumKey) => void): void {
    this.listeners.add(listener);
    const known = this.last;
    // a second follower of the key hears what the first already knows (not from inside follow())
    if (known) queueMicrotask(() => !this.closed && this.listeners.has(listener) && listener(known));
    if (this.listeners.size === 1 && this.kv === undefined) void this.read();
  }

  remove(listener: (s: QuorumKey) => void): void {
    this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.watch?.close();
    this.watch = null;
    for (const t of [this.readTimer, this.retryTimer]) if (t) this.host.clock.clearTimeout(t);
    this.readTimer = this.retryTimer = null;
  }

  /** What the store said of the key at `at` (a campaign's or a resign's answer). */
  learn(kv: EtcdKv | null, at: StorePoint): void {
    this.apply(kv, at);
    this.emit(false);
  }

  /** The session changed (renewal: 'ours' is said again even if unchanged). */
  refresh(renewal: boolean): void {
    this.emit(renewal);
  }

  /** The store was built anew: its revisions start over, so what is known of the old one is dropped, then read. */
  restart(): void {
    if (this.closed) return;
    this.at = null;
    this.watch?.close();
    this.watch = null;
    void this.read();
  }

  /** Reads the key now (the lease was lost: keys under it are gone). */
  read(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.reading ??= this.readOnce().finally(() => {
      this.reading = null;
      this.scheduleRead();
    });
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    try {
      const a = await this.host.client.range(this.key, this.host.intervalMs);
      if (this.closed) return;
      if (a.kv && a.kv.key !== this.key) throw new EtcdError('answer', 'the store answered a read with another key');
      const recovered = this.error !== null;
      const before = this.last;
      this.host.readOk();
      this.error = null;
      this.apply(a.kv, a.at);
      this.emit(false);
      // a read that finds news (or the store back) while a watch is open: that watch may be deaf
      const stale = this.watch !== null && (recovered || (before !== null && this.last !== before && this.last?.kind !== 'ours'));
      if (stale) this.restartWatch('a read found what the watch did not say');
      else if (!this.watch && !this.retryTimer) this.openWatch();
    } catch (e) {
      if (this.closed) return;
      const why = errorWhy(e);
      this.error = why;
      this.host.readFailed(this.key, why);
      this.emit(false);
    }
  }

  private apply(kv: EtcdKv | null, at: StorePoint): void {
    const known = this.at;
    // an answer that names no cluster is taken to come from the one known
    const point = at.cluster || !known ? at : { cluster: known.cluster, revision: at.revision };
    if (known && isBefore(point, known)) return;
    this.at = point;
    this.kv = kv;
  }

  private openWatch(): void {
    if (this.closed) return;
    const from = ((this.at?.revision ?? -1n) + 1n).toString();
    const handle = this.host.client.watch(
      this.key,
      from,
      {
        onCreated: () => {
          this.watchFailures = 0;
          this.watchLog.ok();
        },
        onEvents: (events, at) => this.onEvents(events, at),
        onEnd: (why, resync) => {
          if (this.watch !== handle) return;
          this.watch = null;
          this.watchFailures++;
          this.watchLog.fail(why, `etcd watch of ${this.key} ended: ${why}${resync ? ' (reading it again)' : ''}`);
          // every new watch starts from a fresh read: nothing said while it was down is missed
          const delay = Math.min(WATCH_RETRY_BASE_MS * 2 ** Math.min(this.watchFailures - 1, 10), this.host.intervalMs);
          this.retryTimer = this.host.clock.setTimeout(() => {
            this.retryTimer = null;
            void this.read();
          }, delay);
        },
      },
      this.host.intervalMs,
    );
    this.watch = handle;
  }

  private restartWatch(why: string): void {
    this.host.logger.debug(`etcd watch of ${this.key} restarted: ${why}`);
    this.watch?.close();
    this.watch = null;
    this.openWatch();
  }

  private onEvents(events: readonly WatchEvent[], at: StorePoint): void {
    for (const e of events) {
      if (e.kv.key !== this.key) continue;
      this.apply(e.type === 'put' ? e.kv : null, { cluster: at.cluster, revision: BigInt(e.kv.modRevision) });
    }
    // the header's revision is past every event's: the next watch starts there
    if (this.at && at.revision > this.at.revision && (!at.cluster || at.cluster === this.at.cluster)) this.at = { ...this.at, revision: at.revision };
    this.emit(false);
  }

  private scheduleRead(): void {
    if (this.closed) return;
    if (this.readTimer) this.host.clock.clearTimeout(this.readTimer);
    this.readTimer = this.host.clock.setTimeout(() => {
      this.readTimer = null;
      void this.read();
    }, this.host.intervalMs);
  }

  private emit(renewal: boolean): void {
    if (this.closed) return;
    const state: QuorumKey | null = this.error !== null ? { kind: 'unreachable', why: this.error } : this.kv === undefined ? null : this.host.stateOf(this.kv);
    if (!state || (same(state, this.last) && !(renewal && state.kind === 'ours'))) return;
    this.last = state;
    for (const listener of [...this.listeners]) {
      try {
        listener(state);
      } catch (e) {
        this.host.logger.error(`a follower of etcd key ${this.key} threw: ${errorWhy(e)}`);
      }
    }
  }
}
