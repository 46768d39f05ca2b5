// The lab's client: connects to the floating IP every few milliseconds and records who answered.
import type { ChildProcess } from 'node:child_process';

export interface ProbeSample {
  t: number;
  who: string | null;
}

export class ClientProbe {
  readonly samples: ProbeSample[] = [];
  private buffer = '';

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        try {
          this.samples.push(JSON.parse(line) as ProbeSample);
        } catch {
          // partial line at exit
        }
      }
    });
  }

  get now(): number {
    return this.samples.at(-1)?.t ?? 0;
  }

  /** The longest stretch without an answer from anyone, after `from` (probe time, ms). */
  longestGap(from = 0): number {
    let last: number | null = null;
    let worst = 0;
    for (const s of this.samples) {
      if (s.t < from || s.who === null) continue;
      if (last !== null) worst = Math.max(worst, s.t - last);
      last = s.t;
    }
    return worst;
  }

  lastAnswer(): string | null {
    for (let i = this.samples.length - 1; i >= 0; i--) if (this.samples[i]!.who) return this.samples[i]!.who;
    return null;
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}
