// Test traffic for the lab, run inside a namespace:
//   capture GROUP PORT LOCAL_IP MS            print each multicast datagram as "sender hex" for MS ms
//   replay  GROUP PORT LOCAL_IP FILE          send the captured datagrams of FILE again, to the group
//   replay-tcp HOST PORT FILE                 send them over one TCP connection to HOST:PORT
//   fuzz    HOST PORT GROUP MPORT LOCAL_IP MS throw random, truncated, oversized and forged frames at the
//                                             echo port and the multicast group for MS ms, then print counts
//   flood   GROUP PORT VIP SOURCES NODES MS WATCH  the floods of issue 11, see flood() below
// Every loop is bounded in time and count; it sends only to the addresses it is given.
import { createHmac, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';

const [mode, ...a] = process.argv.slice(2);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function capture(group: string, port: number, local: string, ms: number): void {
  const sock = createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (buf, rinfo) => process.stdout.write(`${rinfo.address} ${buf.toString('hex')}\n`));
  sock.bind(port, () => sock.addMembership(group, local));
  setTimeout(() => sock.close(), ms);
}

function frames(file: string): Buffer[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => Buffer.from(l.split(' ')[1]!, 'hex'));
}

async function replay(group: string, port: number, local: string, file: string): Promise<void> {
  const sock = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((r) => sock.bind(0, local, () => r()));
  sock.setMulticastInterface(local);
  for (const f of frames(file)) {
    await new Promise<void>((r) => sock.send(f, port, group, () => r()));
    await sleep(5);
  }
  sock.close();
  console.log(`replayed ${frames(file).length} datagrams`);
}

async function replayTcp(host: string, port: number, file: string): Promise<void> {
  const s = connect({ host, port });
  await new Promise<void>((resolve) => {
    s.once('connect', () => resolve());
    s.once('error', () => resolve());
  });
  for (const f of frames(file)) s.write(f);
  await sleep(300);
  console.log(`closed by peer: ${s.destroyed || s.readableEnded}`);
  s.destroy();
}

function randomFrame(): Buffer {
  const kind = Math.floor(Math.random() * 6);
  const header = (type: number, len: number): Buffer => {
    const h = Buffer.from([0x46, 0x49, 1, type, 0, 0]);
    h.writeUInt16BE(len, 4);
    return h;
  };
  switch (kind) {
    case 0: // random bytes
      return Buffer.from(Array.from({ length: 1 + Math.floor(Math.random() * 2000) }, () => Math.floor(Math.random() * 256)));
    case 1: // truncated frame
      return Buffer.concat([header(1, 200), Buffer.from('{"v":1,"id":')]);
    case 2: // oversized announcement
      return header(2, 65535);
    case 3: {
      // well-formed but forged: claims to be a master of top priority, unsigned
      const body = Buffer.from(JSON.stringify({ v: 1, id: '198.18.0.11', vip: '198.18.0.100', pri: 254, st: 'MASTER', term: 999, pre: true, seq: 1 }));
      return Buffer.concat([header(1, body.length), body]);
    }
    case 4: {
      // signed-looking frame with a random MAC
      const body = Buffer.from(JSON.stringify({ v: 1, id: '198.18.0.11', vip: '198.18.0.100', pri: 254, st: 'MASTER', term: 999, pre: true, seq: 9, boot: 1, ts: Date.now() }));
      return Buffer.concat([header(2, body.length), body, Buffer.alloc(32, 7)]);
    }
    default: // valid header, garbage JSON
      return Buffer.concat([header(1, 50), Buffer.alloc(50, 0x7b)]);
  }
}

async function fuzz(host: string, port: number, group: string, mport: number, local: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  const udp = createSocket({ type: 'udp4' });
  await new Promise<void>((r) => udp.bind(0, local, () => r()));
  udp.setMulticastInterface(local);
  const counts = { datagrams: 0, connections: 0, slow: 0 };
  const slow: Socket[] = [];
  while (Date.now() < end && counts.connections < 20_000) {
    for (let i = 0; i < 20; i++) {
      udp.send(randomFrame(), mport, group);
      counts.datagrams++;
    }
    const s = connect({ host, port });
    s.on('error', () => undefined);
    counts.connections++;
    if (counts.connections % 10 === 0 && slow.length < 20) {
      // a slow client: one byte now and then
      slow.push(s);
      counts.slow++;
      s.once('connect', () => s.write(Buffer.from([0x46])));
    } else {
      s.once('connect', () => {
        s.write(randomFrame());
        s.end();
      });
    }
    await sleep(5);
  }
  for (const s of slow) s.destroy();
  udp.close();
  console.log(JSON.stringify(counts));
}

/** A heartbeat frame as frame-codec.ts lays it out, from raw fields, so values the encoder would never send go out too. */
function forgedFrame(fields: Record<string, unknown>, secret: string | undefined): Buffer {
  const json = Buffer.from(JSON.stringify(fields));
  const header = Buffer.from([0x46, 0x49, 1, secret ? 2 : 1, 0, 0]);
  header.writeUInt16BE(json.length, 4);
  const frame = Buffer.concat([header, json]);
  return secret ? Buffer.concat([frame, createHmac('sha256', Buffer.from(secret, 'utf8')).update(frame).digest()]) : frame;
}

/**
 * forge TARGET LOCAL_IP COUNT SPACING_MS JSON [SECRET]: sends COUNT heartbeat frames built from JSON (the wire's
 * fields: v, id, vip, pri, st, term, pre, seq; v 1, pre false and seq 1 unless given), SPACING_MS apart, from
 * LOCAL_IP. Copy i carries seq + i. With SECRET the frames are signed: boot (one per run) and ts are added unless
 * given, then the HMAC. TARGET is group:GROUP:PORT, udp:HOST:PORT, or tcp:HOST:PORT (one connection). Prints a
 * JSON summary: how many were sent, and for TCP whether the peer closed the connection.
 */
async function forge(target: string, local: string, count: number, spacingMs: number, json: string, secret?: string): Promise<void> {
  const [kind, host, portText] = target.split(':');
  const port = Number(portText);
  if (!['group', 'udp', 'tcp'].includes(kind!) || !host || !(port > 0)) throw new Error(`bad target ${target}`);
  const fields: Record<string, unknown> = { v: 1, pre: false, seq: 1, ...(JSON.parse(json) as Record<string, unknown>) };
  const boot = randomInt(1, 2 ** 47);
  const frameAt = (i: number): Buffer =>
    forgedFrame({ ...fields, seq: Number(fields['seq']) + i, ...(secret ? { boot: fields['boot'] ?? boot, ts: fields['ts'] ?? Date.now() } : {}) }, secret);
  const result = { target, sent: 0, closedByPeer: false, error: '' };
  const total = Math.min(count, 100_000);
  if (kind === 'tcp') {
    const s = connect({ host, port, localAddress: local });
    s.on('data', () => undefined);
    s.on('close', () => (result.closedByPeer = true));
    await new Promise<void>((resolve) => {
      s.once('connect', () => resolve());
      s.once('error', (err: NodeJS.ErrnoException) => {
        result.error = err.code ?? err.message;
        resolve();
      });
    });
    for (let i = 0; i < total && !result.error && !result.closedByPeer; i++) {
      s.write(frameAt(i));
      result.sent++;
      if (i < total - 1) await sleep(spacingMs);
    }
    await sleep(200);
    s.destroy();
  } else {
    const udp = createSocket({ type: 'udp4' });
    await new Promise<void>((r) => udp.bind(0, local, () => r()));
    if (kind === 'group') udp.setMulticastInterface(local);
    for (let i = 0; i < total; i++) {
      await new Promise<void>((r) => udp.send(frameAt(i), port, host, () => r()));
      result.sent++;
      if (i < total - 1) await sleep(spacingMs);
    }
    udp.close();
  }
  console.log(JSON.stringify(result));
}

/**
 * Issue 11's floods, from the client namespace, for MS ms; then it watches WATCH ms more. SOURCES: this namespace's
 * extra addresses, comma-separated: the last is off the nodes' subnet, the first ten accept and close every
 * connection on the echo port (a peer that refuses every frame). From each in-subnet source, an unsigned BACKUP
 * heartbeat naming VIP every 200 ms (spoofed peers); every 10 ms, 80 datagrams naming other addresses; every
 * 100 ms, a MASTER heartbeat of priority 254 unicast to each of NODES (comma-separated) from the first source,
 * and one to the group from the off-subnet source. Prints counts, and how many connections the listeners
 * accepted in the last 3 s of the watch.
 */
async function flood(group: string, port: number, vip: string, sourceList: string, nodeList: string, ms: number, watchMs: number): Promise<void> {
  const sources = sourceList.split(',');
  const nodes = nodeList.split(',');
  const stray = sources.pop()!;
  const counts = { heartbeats: 0, foreign: 0, unicast: 0, offSubnet: 0, accepts: 0, acceptsLate: 0 };
  const started = Date.now();
  const servers = sources.slice(0, 10).map((host) => {
    const server = createServer((s) => {
      counts.accepts++;
      if (Date.now() - started > ms + watchMs - 3000) counts.acceptsLate++;
      s.destroy();
    });
    server.listen(61111, host);
    return server;
  });
  const open = (addr: string): Promise<ReturnType<typeof createSocket>> =>
    new Promise((resolve) => {
      const u = createSocket({ type: 'udp4' });
      u.bind(0, addr, () => {
        u.setMulticastInterface(addr);
        resolve(u);
      });
    });
  const socks = await Promise.all(sources.map(open));
  const straySock = await open(stray);
  const beat = (id: string, v: string, st: string, pri: number, seq: number): Buffer => {
    const body = Buffer.from(JSON.stringify({ v: 1, id, vip: v, pri, st, term: 0, pre: false, seq }));
    const h = Buffer.from([0x46, 0x49, 1, 1, 0, 0]);
    h.writeUInt16BE(body.length, 4);
    return Buffer.concat([h, body]);
  };
  const end = started + ms;
  let round = 0;
  while (Date.now() < end && round < 100_000) {
    round++;
    for (let i = 0; i < 80; i++) {
      const n = counts.foreign++;
      const k = n % socks.length;
      socks[k]!.send(beat(sources[k]!, `198.19.${(n >> 8) & 255}.${n & 255}`, 'BACKUP', 1, round), port, group);
    }
    if (round % 20 === 0) {
      socks.forEach((u, k) => u.send(beat(sources[k]!, vip, 'BACKUP', 1, round), port, group));
      counts.heartbeats += socks.length;
    }
    if (round % 10 === 0) {
      for (const node of nodes) socks[0]!.send(beat(sources[0]!, vip, 'MASTER', 254, round), port, node);
      counts.unicast += nodes.length;
      straySock.send(beat(stray, vip, 'MASTER', 254, round), port, group);
      counts.offSubnet++;
    }
    await sleep(10);
  }
  for (const u of [...socks, straySock]) u.close();
  await sleep(watchMs);
  for (const s of servers) s.close();
  console.log(JSON.stringify(counts));
}

const run = async (): Promise<void> => {
  if (mode === 'capture') capture(a[0]!, Number(a[1]), a[2]!, Number(a[3]));
  else if (mode === 'replay') await replay(a[0]!, Number(a[1]), a[2]!, a[3]!);
  else if (mode === 'replay-tcp') await replayTcp(a[0]!, Number(a[1]), a[2]!);
  else if (mode === 'flood') await flood(a[0]!, Number(a[1]), a[2]!, a[3]!, a[4]!, Number(a[5]), Number(a[6]));
  else if (mode === 'fuzz') await fuzz(a[0]!, Number(a[1]), a[2]!, Number(a[3]), a[4]!, Number(a[5]));
  else if (mode === 'forge') await forge(a[0]!, a[1]!, Number(a[2]), Number(a[3]), a[4]!, a[5]);
  else throw new Error(`unknown mode ${mode}`);
};
void run();
