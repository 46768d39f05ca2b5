import type { AnnouncerPort, LoggerPort } from '../../application/index.js';

const GRATUITOUS_ARP_ON_CONFIGURE = 'this platform announces a new address itself (gratuitous ARP on configure); floatip sends none';

/**
 * macOS has no arping; its kernel sends a gratuitous ARP itself when an alias is configured. For IPv6 it sends no
 * unsolicited advertisement (only its duplicate address detection), so that announcer says so, once, as a warning.
 */
export class KernelAnnouncer implements AnnouncerPort {
  private said = false;

  constructor(
    private readonly logger: LoggerPort,
    private readonly note: { level: 'info' | 'warn'; text: string } = { level: 'info', text: GRATUITOUS_ARP_ON_CONFIGURE },
  ) {}

  cancel(): void {}

  /** macOS re-resolves on its own schedule; nothing to do here. */
  async forgetUnresolvedNeighbours(): Promise<void> {}

  async announce(): Promise<void> {
    if (this.said) return;
    this.said = true;
    this.logger[this.note.level](this.note.text);
  }
}
