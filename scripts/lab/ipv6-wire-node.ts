// One side of the IPv6 wire check (scripts/lab/ipv6-wire-check.sh), run inside a network namespace: floatip's own
// adapters, built as the daemon builds them, so the packets on the wire are the ones their command lines send.
import { FloatingAddress, parseIpAddress } from '../../src/domain/index.js';
import type { LoggerPort } from '../../src/application/index.js';
import { CONFLICT_PROBE_DEADLINE_MS, Ndisc6ConflictProbe, createPlatformAdapters, preflight, requireIpv6Tools } from '../../src/infrastructure/index.js';

const logger: LoggerPort = {
  debug: () => undefined,
  info: (m) => console.log(`info: ${m}`),
  warn: (m) => console.log(`warn: ${m}`),
  error: (m) => console.log(`error: ${m}`),
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function addressOf(cidr: string, iface: string): FloatingAddress {
  const [ip, prefix] = cidr.split('/');
  return FloatingAddress.create({ ip: parseIpAddress(ip), prefixLength: Number(prefix), interfaceName: iface, label: 'fip' });
}

const [what, cidr = '', iface = '', tool = 'ip'] = process.argv.slice(2);
const address = addressOf(cidr, iface);
const toolkit = preflight({ addressTool: tool === 'ifconfig' ? 'ifconfig' : 'ip' });
requireIpv6Tools(toolkit);

if (what === 'probe') {
  const probe = new Ndisc6ConflictProbe(toolkit.ndisc6!, CONFLICT_PROBE_DEADLINE_MS);
  const t0 = performance.now();
  const result = await probe.probe(address).catch((err: Error) => ({ error: err.message }));
  console.log(`probe ${address.toString()}: ${JSON.stringify(result)} in ${Math.round(performance.now() - t0)} ms`);
} else if (what === 'takeover') {
  const adapters = createPlatformAdapters(toolkit, logger, address);
  // the prepared bind and first advertisement are started ahead, as at a daemon's start
  await sleep(300);
  const t0 = Date.now();
  await adapters.addressTable.bind(address);
  const bound = Date.now();
  await adapters.announcer.announce(address, 3);
  const sent = Date.now();
  console.log(`takeover ${address.toString()} (${tool}): bind started ${(t0 / 1000).toFixed(6)}, bound +${bound - t0} ms, first NA sent +${sent - t0} ms`);
  console.log(`holds: ${await adapters.addressTable.holds(address)}`);
  await sleep(2300);
  adapters.announcer.cancel(address);
  await adapters.addressTable.unbind(address);
  console.log(`released; holds: ${await adapters.addressTable.holds(address)}`);
  process.exit(0);
} else {
  throw new Error(`usage: ipv6-wire-node probe|takeover <ip/prefix> <interface> [ip|ifconfig]`);
}
