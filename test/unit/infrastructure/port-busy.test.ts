import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { TransportListener } from '../../../src/application/index.js';
import { Ipv4Address } from '../../../src/domain/index.js';
import {
  HttpStatusServer,
  PortBusyError,
  TcpEchoPeerTransport,
  describePortHolders,
  findPortHolders,
  type ProcReader,
} from '../../../src/infrastructure/index.js';
import { aSettings } from '../../support/builders.js';
import { RecordingLogger } from '../../support/fakes.js';

const listener: TransportListener = { onHeartbeat: () => undefined, onPeerLost: () => undefined };

async function squatTcp(host = '127.0.0.1'): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

function isPortBusy(protocol: 'tcp' | 'udp', port: number) {
  return (e: unknown): boolean => e instanceof PortBusyError && e.code === 'FLOATIP_PORT_BUSY' && e.protocol === protocol && e.port === port;
}

describe('a port held by another process is PortBusyError, not a configuration error', () => {
  it('the status port', async () => {
    const squatter = await squatTcp();
    const server = new HttpStatusServer(() => ({}), async () => ({ contentType: 'text/plain', body: '' }));
    try {
      await assert.rejects(server.start('127.0.0.1', squatter.port), isPortBusy('tcp', squatter.port));
    } finally {
      await server.stop();
      await squatter.close();
    }
  });

  it('the echo port (TCP)', async () => {
    const squatter = await squatTcp();
    const base = aSettings({ id: '127.0.0.1' });
    const transport = new TcpEchoPeerTransport({ ...base, echo: { ...base.echo, port: squatter.port }, multicast: null, peers: [] }, new RecordingLogger());
    try {
      await assert.rejects(transport.start(listener), isPortBusy('tcp', squatter.port));
    } finally {
      await transport.stop();
      await squatter.close();
    }
  });

  it('the multicast port (UDP)', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, resolve));
    const port = udp.address().port;
    const base = aSettings({ id: '127.0.0.1' });
    const transport = new TcpEchoPeerTransport(
      { ...base, echo: { ...base.echo, port: 0 }, multicast: { group: Ipv4Address.create('224.3.2.2'), port }, peers: [] },
      new RecordingLogger(),
    );
    try {
      await assert.rejects(transport.start(listener), isPortBusy('udp', port));
    } finally {
      await transport.stop();
      await new Promise<void>((r) => udp.close(() => r()));
    }
  });
});

describe('finding what holds a port', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  it('names this process for a TCP port it listens on', async () => {
    const squatter = await squatTcp();
    const holders = findPortHolders('tcp', squatter.port);
    assert.ok(holders.some((h) => h.pid === process.pid && h.uid === process.getuid!() && /node/.test(h.command ?? '')), JSON.stringify(holders));
    assert.match(describePortHolders(holders), new RegExp(`pid ${process.pid} \\(.*node`));
    await squatter.close();
  });

  it('names this process for a UDP port it bound', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, resolve));
    const holders = findPortHolders('udp', udp.address().port);
    assert.ok(holders.some((h) => h.pid === process.pid), JSON.stringify(holders));
    await new Promise<void>((r) => udp.close(() => r()));
  });

  it('reads the v6 tables too, and gives the uid when the process is not visible', () => {
    const files: Record<string, string> = {
      '/proc/self/net/tcp': '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n',
      '/proc/self/net/tcp6':
        '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
        '   0: 00000000000000000000000000000000:EEAF 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 65534        0 4242 1 0000000000000000 100 0 0 10 0\n',
      '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
    };
    const proc: ProcReader = {
      readFile: (p) => {
        const text = files[p];
        if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return text;
      },
      readdir: (p) => (p === '/proc' ? ['1', 'self', '77'] : p === '/proc/77/fd' ? ['0', '3'] : []),
      readlink: (p) => {
        // pid 1's fds are not readable (no CAP_SYS_PTRACE); 77 holds another socket
        if (p.startsWith('/proc/1/')) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
        return p === '/proc/77/fd/3' ? 'socket:[999]' : '/dev/null';
      },
    };
    const holders = findPortHolders('tcp', 61103, proc);
    assert.deepEqual(holders, [{ inode: 4242, uid: 65534, user: 'nobody', pid: null, command: null }]);
    assert.match(describePortHolders(holders), /a socket of uid 65534 \(nobody\)/);
    assert.equal(describePortHolders([]), '');
  });
});
