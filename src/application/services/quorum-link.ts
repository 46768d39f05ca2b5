import type { FloatingAddress, MachineEvent, QuorumKey } from '../../domain/index.js';
import { errorText } from '../errors.js';
import { quorumKeyOf, type NodeSettings } from '../node-settings.js';
import type { LoggerPort } from '../ports/logger.port.js';
import type { MetricsPort } from '../ports/metrics.port.js';
import type { QuorumPort } from '../ports/quorum.port.js';
import type { ReleaseGuardPort } from '../ports/release-guard.port.js';

/**
 * One address's tie to the quorum store (quorum mode): what the store says of its key comes to the machine as
 * quorum-key events; its campaign and resign effects go to the store. Nothing here in the heartbeat mode.
 */
export class QuorumLink {
  private unfollow: (() => void) | null = null;
  private unwatchGuard: (() => void) | null = null;
  private campaigning: Promise<void> | null = null;

  constructor(
    private readonly quorum: QuorumPort,
    private readonly settings: () => NodeSettings,
    private readonly logger: LoggerPort,
    private readonly metrics: MetricsPort,
    private readonly guard: ReleaseGuardPort,
    /** the unit's addresses: one, or a group's */
    private readonly addresses: () => readonly FloatingAddress[],
  ) {}

  private get key(): string {
    return quorumKeyOf(this.settings());
  }

  async join(dispatch: (e: MachineEvent) => void): Promise<void> {
    if (!this.settings().quorum) return;
    await this.quorum.start();
    this.unfollow = this.quorum.follow(this.key, (key) => this.report(dispatch, key, false));
    // the guard of one of this unit's addresses removed it at its deadline (one guard port serves every unit)
    this.unwatchGuard = this.guard.onFired((address) => {
      if (this.addresses().some((a) => a.cidr === address.cidr)) dispatch({ kind: 'guard-fired' });
    });
  }

  campaign(depose: string | undefined, dispatch: (e: MachineEvent) => void): void {
    const done: Promise<void> = this.quorum
      .campaign(this.key, depose)
      .then(
        (key) => this.report(dispatch, key, true),
        (err: unknown) => this.report(dispatch, { kind: 'unreachable', why: errorText(err) }, true),
      )
      .finally(() => {
        if (this.campaigning === done) this.campaigning = null;
      });
    this.campaigning = done;
  }

  /** What the store said of the key, to the metrics and the machine alike. */
  private report(dispatch: (e: MachineEvent) => void, key: QuorumKey, campaigned: boolean): void {
    this.metrics.quorumKey?.(key.kind);
    dispatch(campaigned ? { kind: 'quorum-key', key, campaigned } : { kind: 'quorum-key', key });
  }

  resign(dispatch: (e: MachineEvent) => void): void {
    this.quorum.resign(this.key).then(
      () => dispatch({ kind: 'quorum-resigned' }),
      (err: unknown) => dispatch({ kind: 'quorum-resigned', error: errorText(err) }),
    );
  }

  /**
   * A stop, after the release and before the goodbye: the key goes first, so a peer that hears the goodbye finds
   * it free (no peer revokes a lease on a goodbye: the lease holds this node's other addresses' keys). A campaign
   * still in flight is waited for, so a key it wins is not left behind. A release that failed keeps the key.
   */
  async beforeGoodbye(releasedOk: boolean): Promise<void> {
    if (!this.settings().quorum) return;
    await this.campaigning;
    if (!releasedOk) return;
    await this.quorum.resign(this.key).catch((err: unknown) => this.logger.warn(`could not give the etcd key back: ${errorText(err)}`));
  }

  /** The end of a stop: the lease is revoked once every address is done, unless one may still be bound. */
  async leave(releasedOk: boolean): Promise<void> {
    if (!this.settings().quorum) return;
    this.unfollow?.();
    this.unfollow = null;
    this.unwatchGuard?.();
    this.unwatchGuard = null;
    await this.quorum.stop(!releasedOk);
  }
}
