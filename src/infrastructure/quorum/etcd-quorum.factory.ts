import { readFileSync } from 'node:fs';
import type { ClockPort, LoggerPort, NodeSettings, QuorumPort } from '../../application/index.js';
import { ConfigError } from '../errors.js';
import { EtcdQuorum } from './etcd.quorum.js';

/** The etcd adapter of quorum mode, on the settings' endpoints; TLS files are read now, so a bad path stops the start. */
export function createEtcdQuorum(settings: NodeSettings, clock: ClockPort, logger: LoggerPort): QuorumPort {
  const q = settings.quorum;
  if (!q) throw new Error('createEtcdQuorum: the settings have no quorum section');
  const read = (key: string, file: string | null): Buffer | undefined => {
    if (file === null) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError([`floating_ip.quorum.etcd.${key}: cannot read ${file}: ${(err as Error).message}`]);
    }
  };
  const { etcd } = q;
  const ca = read('ca_file', etcd.caFile);
  const cert = read('cert_file', etcd.certFile);
  const key = read('key_file', etcd.keyFile);
  return new EtcdQuorum({
    endpoints: [...etcd.endpoints],
    leaseTtlMs: q.leaseTtlMs,
    nodeId: settings.localIp.toString(),
    ...(ca || cert || key ? { tls: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } } : {}),
    ...(etcd.username !== null && etcd.password !== null ? { auth: { username: etcd.username, password: etcd.password } } : {}),
    clock,
    logger,
  });
}
