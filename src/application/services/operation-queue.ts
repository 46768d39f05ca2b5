/**
 * The address operations running (a takeover, a release, a step-down's check): the machine starts one at a time
 * and asks its decision again when one ends; this is what a stop waits for before it releases the address.
 */
export class OperationQueue {
  private readonly running = new Set<Promise<void>>();

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** `op` reports its own end (to the machine); a rejection here would be a bug in that report, and is kept out. */
  run(op: Promise<void>): void {
    const tracked = op.catch(() => undefined).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** For a stop: every operation running (and any one started meanwhile) has ended, however it ended. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
