import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSettings } from '../../../src/interfaces/cli/format-settings.js';
import { UNSIGNED_WARNING, YamlConfigLoader, type Nic } from '../../../src/infrastructure/index.js';

const HOST: Nic[] = [
  { name: 'lo', addresses: [{ ip: '127.0.0.1', netmask: '255.0.0.0' }], virtual: true, bridge: false, loopback: true },
  { name: 'eth0', addresses: [{ ip: '198.18.0.11', netmask: '255.255.255.0' }], virtual: false, bridge: false, loopback: false },
];
const loader = new YamlConfigLoader({ list: () => HOST });

/** The floating_ip section as INFINI Gateway's own gateway.yml writes it (2023 onwards): empty means auto-detect. */
function infiniGatewayYml(enabled: boolean, over: Record<string, string> = {}): string {
  const v = { ip: "''", netmask: '255.255.255.0', interface: "''", local_ip: "''", priority: '0', peer_ip: '198.18.0.12', ...over };
  return [
    'path.data: data',
    'path.logs: log',
    'entry:',
    '  - name: my_es_entry',
    '    enabled: true',
    '    router: my_router',
    '    network:',
    '      binding: 0.0.0.0:8000',
    'floating_ip:',
    `  enabled: ${enabled}`,
    `  ip: ${v.ip}`,
    `  netmask: ${v.netmask}`,
    `  interface: ${v.interface}`,
    `  local_ip: ${v.local_ip}`,
    `  priority: ${v.priority} # if <= 0, will random set current node's priority`,
    `  peer_ip: ${v.peer_ip}`,
    '  echo:',
    '    port: 61111',
    '    dial_timeout_in_ms: 10000',
    '    timeout_in_ms: 10000',
    '  broadcast:',
    '    binding: 224.3.2.2:7654',
    '',
  ].join('\n');
}

describe("INFINI Gateway's own gateway.yml", () => {
  it('enabled: empty strings auto-detect, priority 0 is unranked, peer_ip is a peer', () => {
    const l = loader.loadText(infiniGatewayYml(true), 'gateway.yml');
    assert.equal(l.kind, 'resolved');
    if (l.kind !== 'resolved') return;
    assert.equal(l.settings.address.ip.toString(), '198.18.0.234');
    assert.equal(l.settings.address.interfaceName, 'eth0');
    assert.equal(l.settings.localIp.toString(), '198.18.0.11');
    assert.ok(l.settings.priority.isUnranked);
    assert.deepEqual(l.settings.peers.map(String), ['198.18.0.12']);
    assert.equal(l.settings.echo.port, 61111);
    assert.deepEqual([...l.detected].sort(), ['echo.interval_in_ms', 'interface', 'ip', 'local_ip']);
    assert.match(formatSettings('gateway.yml', l), /priority\s+0 \(unranked/);
  });

  it('a negative priority is unranked too; priorities above 254 keep their value', () => {
    const neg = loader.loadText(infiniGatewayYml(true, { priority: '-5' }));
    assert.ok(neg.kind === 'resolved' && neg.settings.priority.isUnranked);
    const high = loader.loadText(infiniGatewayYml(true, { priority: '873' }));
    assert.ok(high.kind === 'resolved' && high.settings.priority.value === 873);
  });

  it('YAML empty values (ip:) are unset as well', () => {
    const l = loader.loadText('floating_ip:\n  enabled: true\n  ip:\n  interface:\n  local_ip:\n  peer_ip: ""\n');
    assert.ok(l.kind === 'resolved' && l.settings.address.ip.toString() === '198.18.0.234' && l.settings.peers.length === 0);
  });

  it('disabled: run and check succeed whatever else the section holds, and say what is wrong', () => {
    const off = loader.loadText(infiniGatewayYml(false));
    assert.equal(off.kind, 'disabled');
    const broken = 'floating_ip:\n  enabled: false\n  ip: 10.9.9.9\n  priority: 1.5\n  eanbled: true\n';
    for (const options of [{}, { resolveDisabled: true }]) {
      const l = loader.loadText(broken, 'gateway.yml', options);
      assert.equal(l.kind, 'disabled');
      assert.match(l.warnings.join('\n'), /floating_ip\.priority: 1\.5 is not allowed/);
      assert.match(l.warnings.join('\n'), /floating_ip\.eanbled: unknown key/);
    }
    // valid keys but a value the host refutes: check still shows the problem, as a warning
    const elsewhere = loader.loadText('floating_ip:\n  enabled: false\n  ip: 10.9.9.9\n', 'gateway.yml', { resolveDisabled: true });
    assert.ok(elsewhere.kind === 'disabled' && /floating_ip\.ip: "10\.9\.9\.9" is not allowed: it must be in local_ip/.test(elsewhere.warnings.join()));
    // check of a disabled section that resolves prints what run would use
    const shown = loader.loadText(infiniGatewayYml(false), 'gateway.yml', { resolveDisabled: true });
    assert.ok(shown.kind === 'resolved' && shown.enabled === false);
  });

  it('enabled: the same mistakes stay errors, and enabled itself must be a boolean', () => {
    assert.throws(() => loader.loadText('floating_ip:\n  enabled: true\n  priority: 1.5\n'), /floating_ip\.priority: 1\.5 is not allowed/);
    assert.throws(() => loader.loadText('floating_ip:\n  enabled: "no"\n'), /floating_ip\.enabled: "no" is not allowed: must be true or false/);
  });

  it('unsigned heartbeats are a warning that says what a host on the segment can do', () => {
    const l = loader.loadText(infiniGatewayYml(true));
    assert.ok(l.warnings.includes(UNSIGNED_WARNING));
    assert.match(UNSIGNED_WARNING, /forge/);
    assert.match(UNSIGNED_WARNING, /cannot make a master release/);
    const signed = loader.loadText(`${infiniGatewayYml(true)}  auth:\n    secret: 0123456789abcdef0123\n`);
    assert.deepEqual(signed.warnings, []);
  });
});
