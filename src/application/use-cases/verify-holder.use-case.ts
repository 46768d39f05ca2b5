import { inject, injectable } from 'inversify';
import type { FloatingAddress, HolderVerdict, Ipv4Address } from '../../domain/index.js';
import { CONFLICT_PROBE_PORT, type ConflictProbePort } from '../ports/conflict-probe.port.js';

export interface VerifyHolderInput {
  readonly address: FloatingAddress;
  /** The peer that claims to hold the address. */
  readonly claimant: Ipv4Address;
}

/**
 * Longer than a takeover's probe: nothing waits on a check but the node's own decision, and an answer missed
 * because arping started late on a loaded host would count against a real holder.
 */
export const VERIFY_DEADLINE_MS = 500;

/**
 * 'holds': the address answers ARP from the MAC the claimant's own address answers from. 'unverifiable': this
 * platform cannot ask (no arping), so the claim is taken as it is.
 */
export type { HolderVerdict } from '../../domain/index.js';

/**
 * A heartbeat saying "I am master" is only words, and anyone on the segment can send them. Before this node gives
 * the address up for a rival, it asks the wire whether the rival's host really answers for the address.
 */
@injectable()
export class VerifyHolder {
  constructor(@inject(CONFLICT_PROBE_PORT) private readonly probe: ConflictProbePort) {}

  async execute({ address, claimant }: VerifyHolderInput): Promise<HolderVerdict> {
    if (!this.probe.resolvesMacs) return { kind: 'unverifiable' };
    const [forAddress, forClaimant] = await Promise.all([
      this.probe.macOf(address, address.ip, VERIFY_DEADLINE_MS),
      this.probe.macOf(address, claimant, VERIFY_DEADLINE_MS),
    ]);
    const ip = address.ip.toString();
    const who = claimant.toString();
    if (!forAddress) return { kind: 'not-held', why: `no other host answers ARP for ${ip}` };
    if (!forClaimant) return { kind: 'not-held', why: `${ip} answers from ${forAddress}, but ${who} does not answer ARP` };
    if (forAddress !== forClaimant) return { kind: 'not-held', why: `${ip} answers from ${forAddress}, ${who} from ${forClaimant}` };
    return { kind: 'holds', mac: forAddress };
  }
}
