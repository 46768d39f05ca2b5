import type { AnnouncerPort, LoggerPort } from '../../application/index.js';

/** macOS has no arping; its kernel sends a gratuitous ARP itself when an alias is configured. */
export class KernelAnnouncer implements AnnouncerPort {
  private said = false;

  constructor(private readonly logger: LoggerPort) {}

  cancel(): void {}

  /** macOS re-resolves on its own schedule; nothing to do here. */
  async forgetUnresolvedNeighbours(): Promise<void> {}

  async announce(): Promise<void> {
    if (this.said) return;
    this.said = true;
    this.logger.info('this platform announces a new address itself (gratuitous ARP on configure); floatip sends none');
  }
}
