import type { QuorumSettings } from '../../application/index.js';
import type { QuorumConfigDto } from './quorum.config-dto.js';

const P = 'floating_ip.quorum.';
export const QUORUM_DEFAULTS = { leaseTtlMs: 3000, keyPrefix: '/floatip', onLoss: 'release' } as const;

/** The quorum section as the node runs on it; what is wrong goes to `problems`, each naming its key. */
export function resolveQuorum(dto: QuorumConfigDto | undefined, problems: string[]): QuorumSettings | null {
  if (!dto) return null;
  const etcd = dto.etcd;
  const endpoints = [...new Set((etcd?.endpoints ?? []).map((e) => e.replace(/\/$/, '')))];
  if (endpoints.length === 0) problems.push(`${P}etcd.endpoints: needs at least one etcd client URL such as http://10.0.0.5:2379`);
  const ttl = dto.lease_ttl_in_ms ?? QUORUM_DEFAULTS.leaseTtlMs;
  if (ttl % 1000 !== 0) problems.push(`${P}lease_ttl_in_ms: ${ttl} is not allowed: etcd grants leases in whole seconds, so it must be a multiple of 1000`);
  const certFile = etcd?.cert_file ?? null;
  const keyFile = etcd?.key_file ?? null;
  if ((certFile === null) !== (keyFile === null)) problems.push(`${P}etcd: cert_file and key_file go together (a client certificate and its key)`);
  const username = etcd?.username ?? null;
  const password = etcd?.password ?? null;
  if ((username === null) !== (password === null)) problems.push(`${P}etcd: username and password go together`);
  const tls = etcd?.ca_file !== undefined || certFile !== null;
  if (tls && endpoints.some((e) => e.startsWith('http://'))) problems.push(`${P}etcd.endpoints: ca_file, cert_file and key_file apply to https:// endpoints; these are http://`);
  return {
    etcd: { endpoints, caFile: etcd?.ca_file ?? null, certFile, keyFile, username, password },
    leaseTtlMs: ttl,
    // '/' is the root: its keys are /<address>
    keyPrefix: (dto.key_prefix ?? QUORUM_DEFAULTS.keyPrefix).replace(/\/+$/, ''),
    onLoss: dto.on_quorum_loss ?? QUORUM_DEFAULTS.onLoss,
  };
}
