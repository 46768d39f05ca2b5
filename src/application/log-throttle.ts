/**
 * At most `perWindow` lines a window (a minute by default) for one kind of line caused by network input; the rest
 * are counted, and the count is logged when the next window opens. A flood costs a bounded number of log lines.
 */
export class LogThrottle {
  private windowStart = -Infinity;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly perWindow: number,
    private readonly now: () => number,
    private readonly windowMs = 60_000,
  ) {}

  /** Writes `line` with `write` unless this window's quota is spent; `what` names the held-back lines in the summary. */
  write(write: (line: string) => void, line: string, what = 'lines'): boolean {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0) write(`${this.suppressed} more ${what} not logged in the last ${Math.round(this.windowMs / 1000)} s`);
      this.windowStart = now;
      this.logged = 0;
      this.suppressed = 0;
    }
    if (this.logged < this.perWindow) {
      this.logged++;
      write(line);
      return true;
    }
    this.suppressed++;
    return false;
  }
}
