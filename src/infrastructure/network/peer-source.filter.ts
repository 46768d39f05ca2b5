import { peerSubnetOf, type NodeSettings } from '../../application/index.js';
import { Ipv4Address } from '../../domain/index.js';

/**
 * Heartbeats come from the local subnet, where the group reaches, or from a configured peer: anything else on the
 * echo port or the group socket is a stranger, dropped before it is parsed, so it can neither join the election
 * nor make this node dial it.
 */
export class PeerSourceFilter {
  private readonly peers: ReadonlySet<number>;

  constructor(private readonly settings: Pick<NodeSettings, 'address' | 'localIp' | 'peers' | 'peerSubnet'>) {
    this.peers = new Set(settings.peers.map((p) => p.toNumber()));
  }

  allows(remote: string): boolean {
    if (!Ipv4Address.isValid(remote)) return false;
    const address = Ipv4Address.create(remote);
    const subnet = peerSubnetOf(this.settings);
    return (subnet !== null && subnet.contains(this.settings.localIp, address)) || this.peers.has(address.toNumber());
  }

  describe(): string {
    const subnet = peerSubnetOf(this.settings);
    return subnet ? `local_ip ${this.settings.localIp.toString()}'s subnet /${subnet.prefixLength}` : 'the configured peers (no IPv4 floating address gives a subnet)';
  }
}
