import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { LoggerPort } from '../../application/index.js';
import type { Ipv4Address } from '../../domain/index.js';
import { PreconditionError } from '../errors.js';
import { listenError } from './listen-error.js';

/**
 * The multicast group: how peers find each other, and the channel every heartbeat takes. Two sockets: one bound to
 * the group that receives, and one connected to it that sends.
 */
export class MulticastChannel {
  private udp: UdpSocket | null = null;
  /** Connected, so that a send skips the address lookup Node.js does for every datagram. */
  private udpOut: UdpSocket | null = null;

  constructor(
    private readonly logger: LoggerPort,
    private readonly onDatagram: (buf: Buffer, remote: string) => void,
  ) {}

  get open(): boolean {
    return this.udpOut !== null;
  }

  /** Hands one frame to the kernel; false when there is no group to send to. */
  send(frame: Buffer, done: () => void): boolean {
    if (!this.udpOut) return false;
    this.udpOut.send(frame, done);
    return true;
  }

  async join(localIp: Ipv4Address, mc: { readonly group: Ipv4Address; readonly port: number }): Promise<void> {
    const local = localIp.toString();
    const group = mc.group.toString();
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    this.udp = udp;
    // Bound to the group (Linux), the socket never sees datagrams sent to this host's own address: a heartbeat
    // must reach every node, and unicast to one is how a host would lie to that one alone.
    const at = process.platform === 'linux' ? { address: group, port: mc.port } : { port: mc.port };
    await this.bind(udp, `multicast group ${group}:${mc.port} on ${local}`, at, () => udp.addMembership(group, local));
    udp.on('message', (buf, rinfo) => this.onDatagram(buf, rinfo.address));
    const out = createSocket({ type: 'udp4' });
    this.udpOut = out;
    await this.bind(out, `multicast sender on ${local}`, { address: local, port: 0 }, () => {
      out.setMulticastInterface(local);
      out.setMulticastTTL(1);
      out.setMulticastLoopback(false);
    });
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.connect(mc.port, group, () => {
        out.removeListener('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      throw new PreconditionError(`cannot send to multicast group ${group}:${mc.port} from ${local}: ${(err as Error).message}`);
    });
  }

  async close(): Promise<void> {
    for (const udp of [this.udp, this.udpOut]) if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    this.udp = this.udpOut = null;
  }

  /** Binds a UDP socket and applies its options; afterwards its errors are logged, never thrown. */
  private bind(udp: UdpSocket, what: string, at: { address?: string; port: number }, options: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      udp.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, `${what} (UDP)`, 'udp', at.port)));
      udp.bind(at, () => {
        try {
          options();
        } catch (err) {
          reject(new PreconditionError(`cannot set up ${what}: ${(err as Error).message}`));
          return;
        }
        udp.removeAllListeners('error');
        udp.on('error', (err) => this.logger.error(`${what}: ${err.message}`));
        resolve();
      });
    });
  }
}
