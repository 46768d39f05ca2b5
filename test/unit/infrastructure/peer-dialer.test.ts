import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import { CONFIRM_RECHECK_MS, PeerDialer } from '../../../src/infrastructure/network/peer-dialer.js';
import { healthyLinkMs } from '../../../src/infrastructure/network/redial-backoff.js';
import { aSettings } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { RecordingLogger } from '../../support/fakes.js';

/** A socket the test answers for: it connects, is refused, or hears nothing, when the test says so. */
class ScriptedSocket extends EventEmitter {
  destroyed = false;

  constructor(readonly dialledAt: number) {
    super();
  }

  setNoDelay(): this {
    return this;
  }

  connectNow(): void {
    this.emit('connect');
  }

  refuse(): void {
    this.fail('ECONNREFUSED');
  }

  /** Reset: by a listening socket that closed with our connection in its queue. */
  reset(): void {
    this.fail('ECONNRESET');
  }

  private fail(code: string): void {
    const err: NodeJS.ErrnoException = new Error(`connect ${code}`);
    err.code = code;
    this.emit('error', err);
    this.destroy();
  }

  /** The peer's end went away (its daemon was killed). */
  drop(): void {
    this.destroy();
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.emit('close');
    return this;
  }

  end(): this {
    return this;
  }

  destroySoon(): void {
    this.destroy();
  }
}

/** A dialer on virtual time whose every dial is a ScriptedSocket, with the losses it reports. */
class DialerBench {
  readonly clock = new FakeClock();
  readonly sockets: ScriptedSocket[] = [];
  readonly lost: { at: number; detail: string }[] = [];
  readonly settings = aSettings({ timeoutMs: 3600, intervalMs: 1000 });
  readonly peer = Ipv4Address.create('198.18.0.12');
  readonly dialer = new PeerDialer(
    () => this.settings,
    new RecordingLogger(),
    this.clock,
    { connected: () => undefined, lost: (_id, detail) => this.lost.push({ at: this.clock.now(), detail }) },
    () => {
      const socket = new ScriptedSocket(this.clock.now());
      this.sockets.push(socket);
      return socket as unknown as Socket;
    },
  );

  get last(): ScriptedSocket {
    return this.sockets.at(-1)!;
  }

  /** A link to the peer, up long enough to count as healthy. */
  async healthyLink(): Promise<ScriptedSocket> {
    this.dialer.ensure(this.peer, true);
    const link = this.last;
    link.connectNow();
    await this.clock.advance(healthyLinkMs(this.settings.echo) + 1);
    return link;
  }

  /** A healthy link that the peer's end drops (its daemon killed); when it dropped. */
  async dropHealthyLink(): Promise<number> {
    const link = await this.healthyLink();
    link.drop();
    return this.clock.now();
  }

  assertDialsAfter(from: number, offsets: number[]): void {
    assert.deepEqual(
      this.sockets.filter((s) => s.dialledAt >= from).map((s) => s.dialledAt - from),
      offsets,
    );
  }
}

describe('PeerDialer: telling a killed daemon from a network fault', () => {
  it('a dial after a drop that the dying daemon accepts and cuts is made again soon, and its refusal reported then', async () => {
    const bench = new DialerBench();
    const droppedAt = await bench.dropHealthyLink();
    // the daemon's kernel closed our link before its listening socket: the dial is accepted, then cut
    bench.last.connectNow();
    bench.last.drop();
    await bench.clock.advance(CONFIRM_RECHECK_MS);
    bench.assertDialsAfter(droppedAt, [0, CONFIRM_RECHECK_MS]);
    bench.last.refuse();
    await bench.clock.advance(0);
    assert.deepEqual(bench.lost.map((l) => l.at - droppedAt), [CONFIRM_RECHECK_MS]);
    assert.match(bench.lost[0]!.detail, /refused a new one/);
  });

  it('a dial after a drop reset while it connects is made again soon', async () => {
    const bench = new DialerBench();
    const droppedAt = await bench.dropHealthyLink();
    bench.last.reset();
    await bench.clock.advance(CONFIRM_RECHECK_MS);
    bench.last.refuse();
    await bench.clock.advance(0);
    assert.deepEqual(bench.lost.map((l) => l.at - droppedAt), [CONFIRM_RECHECK_MS]);
  });

  it('a peer that keeps cutting such dials gets two more, then waits out the backoff, and is never reported lost', async () => {
    const bench = new DialerBench();
    const droppedAt = await bench.dropHealthyLink();
    for (let i = 0; i < 3; i++) {
      bench.last.connectNow();
      bench.last.drop();
      await bench.clock.advance(CONFIRM_RECHECK_MS * 2 ** i);
    }
    bench.assertDialsAfter(droppedAt, [0, CONFIRM_RECHECK_MS, 3 * CONFIRM_RECHECK_MS]);
    await bench.clock.advance(500);
    bench.assertDialsAfter(droppedAt, [0, CONFIRM_RECHECK_MS, 3 * CONFIRM_RECHECK_MS]);
    assert.deepEqual(bench.lost, []);
  });

  it('a dial after a drop that is answered and stays up is made once', async () => {
    const bench = new DialerBench();
    const droppedAt = await bench.dropHealthyLink();
    bench.last.connectNow();
    await bench.clock.advance(1000);
    bench.assertDialsAfter(droppedAt, [0]);
    assert.deepEqual(bench.lost, []);
  });

  it('a dial after a drop that times out (the host is gone) is not made again early, and decides nothing', async () => {
    const bench = new DialerBench();
    const droppedAt = await bench.dropHealthyLink();
    await bench.clock.advance(bench.settings.echo.dialTimeoutMs + 500);
    bench.assertDialsAfter(droppedAt, [0]);
    assert.deepEqual(bench.lost, []);
  });

  it('a peer that keeps cutting our links (it refuses what we send) gets one dial per backoff step, never the quick rechecks', async () => {
    const bench = new DialerBench();
    const from = bench.clock.now();
    bench.dialer.ensure(bench.peer, true);
    for (let i = 0; i < 3; i++) {
      bench.last.connectNow();
      bench.last.drop();
      await bench.clock.advance(1000 * 2 ** i);
    }
    bench.assertDialsAfter(from, [0, 1000, 3000, 7000]);
    assert.deepEqual(bench.lost, []);
  });
});

