import type { MachineEvent } from '../../domain/index.js';
import { errorText } from '../errors.js';
import { quorumKeyOf, type NodeSettings } from '../node-settings.js';
import type { LoggerPort } from '../ports/logger.port.js';
import type { MetricsPort } from '../ports/metrics.port.js';
import type { QuorumPort } from '../ports/quorum.port.js';

/**
 * One address's tie to the quorum store (quorum mode): what the store says of its key comes to the machine as
 * quorum-key events; its campaign and resign effects go to the store. Nothing here in the heartbeat mode.
 */
export class QuorumLink {
  private unfollow: (() => void) | null = null;

  constructor(
    private readonly quorum: QuorumPort,
    private readonly settings: () => NodeSettings,
    private readonly logger: LoggerPort,
    private readonly metrics: MetricsPort,
  ) {}

  private get key(): string {
    return quorumKeyOf(this.settings());
  }

  async join(dispatch: (e: MachineEvent) => void): Promise<void> {
    if (!this.settings().quorum) return;
    await this.quorum.start();
    this.unfollow = this.quorum.follow(this.key, (key) => {
      this.metrics.quorumKey?.(key.kind);
      dispatch({ kind: 'quorum-key', key });
    });
  }

  campaign(depose: string | undefined, dispatch: (e: MachineEvent) => void): void {
    void this.quorum.campaign(this.key, depose).then(
      (key) => {
        this.metrics.quorumKey?.(key.kind);
        dispatch({ kind: 'quorum-key', key, campaigned: true });
      },
      (err: unknown) => dispatch({ kind: 'quorum-key', key: { kind: 'unreachable', why: errorText(err) }, campaigned: true }),
    );
  }

  resign(): void {
    this.quorum.resign(this.key).catch((err: unknown) => this.logger.warn(`could not give the etcd key back: ${errorText(err)}`));
  }

  /** After the release at a stop: the key goes first (the next node campaigns at once), then the lease, once every unit is done. */
  async leave(held: boolean): Promise<void> {
    if (!this.settings().quorum) return;
    this.unfollow?.();
    this.unfollow = null;
    if (held) await this.quorum.resign(this.key).catch((err: unknown) => this.logger.warn(`could not give the etcd key back: ${errorText(err)}`));
    await this.quorum.stop();
  }
}
