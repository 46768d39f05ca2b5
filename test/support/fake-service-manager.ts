import assert from 'node:assert/strict';
import type { ServiceManagerPort } from '../../src/application/index.js';

/** Records what systemd would have been told, in order. */
export class RecordingServiceManager implements ServiceManagerPort {
  readonly messages: string[] = [];
  ready(status: string): void {
    this.messages.push(`READY ${status}`);
  }
  status(status: string): void {
    this.messages.push(`STATUS ${status}`);
  }
  stopping(status: string): void {
    this.messages.push(`STOPPING ${status}`);
  }

  assertNothingSent(): void {
    assert.deepEqual(this.messages, [], 'nothing should reach the service manager yet');
  }
  /** Exactly one READY, first, naming `state`. */
  assertReadyOnceAs(state: string): void {
    const ready = this.messages.filter((m) => m.startsWith('READY '));
    assert.equal(ready.length, 1, `one READY expected: ${this.messages.join(' | ')}`);
    assert.ok(this.messages[0]!.startsWith(`READY ${state} `), `first message should be READY ${state}: ${this.messages.join(' | ')}`);
  }
}
