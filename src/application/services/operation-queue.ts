/**
 * One address operation at a time (a takeover, a release, a step-down): the address is never bound and released
 * at once. A decision asked for while one runs is not dropped: the caller is asked again when it is done.
 */
export class OperationQueue {
  private running: Promise<void> | null = null;
  private askAgain = false;

  /**
   * @param again what to run once an operation is done and something asked meanwhile (the node's evaluation)
   * @param failed what to do when an operation throws (log it, clean up); its own errors are the caller's
   */
  constructor(
    private readonly again: () => void,
    private readonly failed: (err: unknown) => Promise<void>,
  ) {}

  /** Whether an operation runs; if so, the caller is asked again once it is done. */
  deferIfBusy(): boolean {
    if (!this.running) return false;
    this.askAgain = true;
    return true;
  }

  run(op: () => Promise<void>): void {
    this.running = op()
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.running = null;
        if (this.askAgain) {
          this.askAgain = false;
          this.again();
        }
      });
  }

  /** For a stop: nothing is asked again, and the running operation (if any) has ended, however it ended. */
  async drain(): Promise<void> {
    this.askAgain = false;
    await this.running?.catch(() => undefined);
  }
}
