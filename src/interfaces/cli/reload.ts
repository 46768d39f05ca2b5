import type { ResolvedConfig } from '../../infrastructure/index.js';

/** Settings a running node cannot change in place: a reload that changes any of them restarts the node. */
export function restartNeededFor(old: ResolvedConfig, next: ResolvedConfig): string[] {
  const a = old.settings;
  const b = next.settings;
  // the list form adds, removes and restarts its addresses one by one (FloatipService.reconfigure)
  const listed = a.units !== undefined && b.units !== undefined;
  const fields: [string, unknown, unknown][] = [
    ['addresses', a.units === undefined, b.units === undefined],
    ...(listed
      ? []
      : ([
          ['ip', a.address.ip.toString(), b.address.ip.toString()],
          ['netmask', a.address.prefixLength, b.address.prefixLength],
          ['label', a.address.label, b.address.label],
        ] as [string, unknown, unknown][])),
    ['interface', a.address.interfaceName, b.address.interfaceName],
    ['local_ip', a.localIp.toString(), b.localIp.toString()],
    ['echo.port', a.echo.port, b.echo.port],
    ['broadcast.binding', a.multicast && `${a.multicast.group.toString()}:${a.multicast.port}`, b.multicast && `${b.multicast.group.toString()}:${b.multicast.port}`],
    ['peers', a.peers.map(String).join(), b.peers.map(String).join()],
    ['auth', JSON.stringify(old.auth), JSON.stringify(next.auth)],
    ['status.listen', JSON.stringify(old.status), JSON.stringify(next.status)],
    ['address_tool', old.addressTool, next.addressTool],
    // the etcd session (endpoints, TLS, TTL) is made once per service
    ['quorum', JSON.stringify(a.quorum ?? null), JSON.stringify(b.quorum ?? null)],
  ];
  return fields.filter(([, x, y]) => x !== y).map(([name]) => name);
}
