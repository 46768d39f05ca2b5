/**
 * Repeated failures cost a few log lines: a line when the reason changes (at most one per `changeEveryMs`, as
 * endpoints that fail in turn give alternating reasons) and one per `sameEveryMs` while it stays the same; the lines
 * held back are counted in the next. ok() ends the run and says whether there was one (to log the recovery once).
 */
export class ReasonLog {
  private last: string | null = null;
  private lastAt = -Infinity;
  private held = 0;
  private failing = false;

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number,
    private readonly sameEveryMs = 30_000,
    private readonly changeEveryMs = 2_000,
  ) {}

  fail(why: string, line: string): void {
    const now = this.now();
    this.failing = true;
    if (now - this.lastAt < (why === this.last ? this.sameEveryMs : this.changeEveryMs)) {
      this.held++;
      return;
    }
    this.write(this.held > 0 ? `${line} (and ${this.held} more failures not logged)` : line);
    this.last = why;
    this.lastAt = now;
    this.held = 0;
  }

  ok(): boolean {
    const was = this.failing;
    this.failing = false;
    this.last = null;
    this.lastAt = -Infinity;
    this.held = 0;
    return was;
  }
}
