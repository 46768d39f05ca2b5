import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, YamlConfigLoader, chooseInterface, defaultFloatingIp, type Nic } from '../../../src/infrastructure/index.js';
import { Ipv4Address, Netmask } from '../../../src/domain/index.js';

const nic = (name: string, ip: string, over: Partial<Nic> = {}): Nic => ({
  name,
  addresses: [{ ip, netmask: '255.255.255.0' }],
  virtual: false,
  bridge: false,
  loopback: false,
  ...over,
});
const HOST: Nic[] = [
  nic('lo', '127.0.0.1', { loopback: true, virtual: true }),
  nic('docker0', '172.17.0.1', { virtual: true, bridge: true }),
  nic('eth0', '198.18.0.11'),
];
const loader = new YamlConfigLoader({ list: () => HOST });

function problems(yaml: string): string {
  try {
    loader.loadText(yaml, 'test.yml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'FLOATIP_CONFIG');
    return err.message;
  }
  assert.fail('expected the configuration to be refused');
}

describe('configuration validation: each bad value gets its own message', () => {
  const table: [string, string, RegExp][] = [
    ['enabled', 'enabled: yes', /floating_ip\.enabled: "yes" is not allowed: must be true or false/],
    ['ip syntax', 'enabled: true\n  ip: 198.18.0.300', /floating_ip\.ip: "198\.18\.0\.300" is not allowed: must be a dotted IPv4 address/],
    ['ip equals local_ip', 'enabled: true\n  ip: 198.18.0.11', /floating_ip\.ip: "198\.18\.0\.11" is not allowed: it is this node's own local_ip/],
    ['ip outside subnet', 'enabled: true\n  ip: 198.19.5.5', /floating_ip\.ip: "198\.19\.5\.5" is not allowed: it must be in local_ip 198\.18\.0\.11's subnet \/24/],
    ['netmask', 'enabled: true\n  netmask: 255.0.255.0', /floating_ip\.netmask: "255\.0\.255\.0" is not allowed: must be a contiguous dotted netmask/],
    ['interface', 'enabled: true\n  interface: eth9', /floating_ip\.interface: "eth9" is not allowed: no such interface on this host \(it has lo, docker0, eth0\)/],
    ['local_ip not on the NIC', 'enabled: true\n  interface: eth0\n  local_ip: 198.18.0.99', /floating_ip\.local_ip: "198\.18\.0\.99" is not allowed: it is not an address of eth0/],
    ['echo.port', 'enabled: true\n  echo:\n    port: 70000', /floating_ip\.echo\.port: 70000 is not allowed: must be an integer from 1 to 65535/],
    ['echo.port as text', 'enabled: true\n  echo:\n    port: "61111"', /floating_ip\.echo\.port: "61111" is not allowed: must be an integer/],
    ['echo.timeout_in_ms', 'enabled: true\n  echo:\n    timeout_in_ms: 0', /floating_ip\.echo\.timeout_in_ms: 0 is not allowed: must be an integer from 30 to 600000/],
    ['echo.dial_timeout_in_ms', 'enabled: true\n  echo:\n    dial_timeout_in_ms: -1', /floating_ip\.echo\.dial_timeout_in_ms: -1 is not allowed/],
    ['interval vs timeout', 'enabled: true\n  echo:\n    timeout_in_ms: 1000\n    interval_in_ms: 500', /floating_ip\.echo\.interval_in_ms: 500 is not allowed: must be at most a third of echo\.timeout_in_ms \(1000\)/],
    ['host timeout too short', 'enabled: true\n  echo:\n    host_timeout_in_ms: 20', /floating_ip\.echo\.host_timeout_in_ms: 20 is not allowed: must be at least 50 .* or 0 for off/],
    ['host timeout not under the timeout', 'enabled: true\n  echo:\n    timeout_in_ms: 1000\n    host_timeout_in_ms: 1000', /floating_ip\.echo\.host_timeout_in_ms: 1000 is not allowed: .*less than echo\.timeout_in_ms \(1000\)/],
    ['priority above 65535', 'enabled: true\n  priority: 70000', /floating_ip\.priority: 70000 is not allowed: must be an integer up to 65535 \(0 or less: unranked\)/],
    ['priority not an integer', 'enabled: true\n  priority: 1.5', /floating_ip\.priority: 1\.5 is not allowed: must be an integer/],
    ['priority as text', 'enabled: true\n  priority: "100"', /floating_ip\.priority: "100" is not allowed: must be an integer/],
    ['peer_ip', 'enabled: true\n  peer_ip: nope', /floating_ip\.peer_ip: "nope" is not allowed: must be a dotted IPv4 address/],
    ['check weight', 'enabled: true\n  checks:\n    - tcp: 127.0.0.1:80\n      weight: 70000', /floating_ip\.checks\[0\]\.weight: 70000 is not allowed: must be an integer from 1 to 65534/],
    ['forced_by_priority', 'enabled: true\n  forced_by_priority: 1', /floating_ip\.forced_by_priority: 1 is not allowed: must be true or false/],
    ['broadcast.binding unicast', 'enabled: true\n  broadcast:\n    binding: 198.18.0.1:7654', /floating_ip\.broadcast\.binding: "198\.18\.0\.1:7654" is not allowed: must be a multicast group/],
    ['broadcast.binding port', 'enabled: true\n  broadcast:\n    binding: 224.3.2.2:99999', /floating_ip\.broadcast\.binding: "224\.3\.2\.2:99999" is not allowed/],
    ['peers', 'enabled: true\n  peers: [198.18.0.12, nope]', /floating_ip\.peers\[1\]: "nope" is not allowed: must be a dotted IPv4 address/],
    ['peers is self', 'enabled: true\n  peers: [198.18.0.11]', /floating_ip\.peers\[0\]: "198\.18\.0\.11" is not allowed: it is this node's own local_ip/],
    ['unknown key', 'enabled: true\n  eanbled: true', /floating_ip\.eanbled: unknown key/],
    ['echo not a mapping', 'enabled: true\n  echo: 5', /floating_ip\.echo: 5 is not allowed: must be a mapping/],
    ['label too long for the alias', 'enabled: true\n  label: averyverylonglabel', /floating_ip\.label: "averyverylonglabel" is not allowed/],
    ['address_tool', 'enabled: true\n  address_tool: nmcli', /floating_ip\.address_tool: "nmcli" is not allowed: must be auto, ifconfig or ip/],
    ['auth.secret too short', 'enabled: true\n  auth:\n    secret: short', /floating_ip\.auth\.secret: "short" is not allowed: must be a secret of at least 16 characters/],
    ['auth without a secret', 'enabled: true\n  auth:\n    max_clock_skew_in_ms: 5000', /floating_ip\.auth: needs secret or secret_file/],
    ['auth with both', 'enabled: true\n  auth:\n    secret: 0123456789abcdef\n    secret_file: /etc/floatip/secret', /floatip\.auth|floating_ip\.auth: set secret or secret_file, not both/],
    ['check with two kinds', 'enabled: true\n  checks:\n    - tcp: 127.0.0.1:80\n      http: http://127.0.0.1/\n      fatal: true', /floating_ip\.checks\[0\]: must have exactly one of tcp, http or command/],
    ['check without an effect', 'enabled: true\n  checks:\n    - tcp: 127.0.0.1:80', /floating_ip\.checks\[0\]: must have either a weight .* or fatal: true .*, not neither/],
    ['check tcp syntax', 'enabled: true\n  checks:\n    - tcp: localhost\n      fatal: true', /floating_ip\.checks\[0\]\.tcp: "localhost" is not allowed: must be host:port/],
    ['check fall', 'enabled: true\n  checks:\n    - tcp: 127.0.0.1:80\n      fatal: true\n      fall: 0', /floating_ip\.checks\[0\]\.fall: 0 is not allowed: must be an integer from 1 to 100/],
    ['check timeout over interval', 'enabled: true\n  checks:\n    - tcp: 127.0.0.1:80\n      fatal: true\n      interval_in_ms: 500\n      timeout_in_ms: 900', /floating_ip\.checks\[0\]\.timeout_in_ms: 900 is not allowed: must be at most interval_in_ms \(500\)/],
    ['check unknown key', 'enabled: true\n  checks:\n    - tcp: 127.0.0.1:80\n      fatal: true\n      retries: 3', /floating_ip\.checks\[0\]\.retries: unknown key/],
    ['witness', 'enabled: true\n  witness: [198.18.0.1, gateway]', /floating_ip\.witness\[1\]: "gateway" is not allowed: must be a dotted IPv4 address/],
    ['notify command', 'enabled: true\n  notify:\n    on_master: []', /floating_ip\.notify\.on_master: \[\] is not allowed: must be a command/],
    ['status.listen', 'enabled: true\n  status:\n    listen: everywhere', /floating_ip\.status\.listen: "everywhere" is not allowed: must be host:port/],
  ];
  for (const [what, body, expected] of table) {
    it(what, () => assert.match(problems(`floating_ip:\n  ${body}\n`), expected));
  }

  it('lists every problem at once', () => {
    const msg = problems('floating_ip:\n  enabled: true\n  priority: 1.5\n  echo:\n    port: 0\n');
    assert.match(msg, /2 problems/);
  });

  it('reports YAML syntax errors with the file name', () => {
    assert.match(problems('floating_ip:\n  enabled: [true\n'), /test\.yml: YAML error/);
  });
});

describe('configuration: defaults and INFINI compatibility', () => {
  it('a gateway.yml with other sections and floating_ip enabled works as is', () => {
    const loaded = loader.loadText('path.data: data\nentry:\n  - name: es\nfloating_ip:\n  enabled: true\n');
    assert.equal(loaded.kind, 'resolved');
    if (loaded.kind !== 'resolved') return;
    const s = loaded.settings;
    assert.equal(s.address.ip.toString(), '198.18.0.234');
    assert.equal(s.address.interfaceName, 'eth0');
    assert.equal(s.localIp.toString(), '198.18.0.11');
    assert.equal(s.echo.port, 61111);
    assert.equal(s.echo.timeoutMs, 10_000);
    assert.equal(s.echo.dialTimeoutMs, 10_000);
    assert.equal(s.echo.intervalMs, 1000);
    assert.equal(s.priority.value, 100);
    assert.equal(s.preempt, false);
    assert.equal(s.multicast?.group.toString(), '224.3.2.2');
    assert.deepEqual([...loaded.detected].sort(), ['echo.interval_in_ms', 'interface', 'ip', 'local_ip', 'netmask']);
  });

  it('disabled, or no section at all: nothing to do', () => {
    assert.equal(loader.loadText('floating_ip:\n  enabled: false\n').kind, 'disabled');
    assert.equal(loader.loadText('other: 1\n').kind, 'disabled');
  });

  it('a user-set local_ip is never replaced', () => {
    const host = [nic('eth0', '198.18.0.11'), nic('eth1', '198.18.1.5')];
    const l = new YamlConfigLoader({ list: () => host }).loadText('floating_ip:\n  enabled: true\n  local_ip: 198.18.1.5\n');
    assert.ok(l.kind === 'resolved' && l.settings.localIp.toString() === '198.18.1.5' && l.settings.address.interfaceName === 'eth1');
  });

  it('auto-detection skips loopback, bridges, container plumbing and link-local addresses', () => {
    const chosen = chooseInterface([
      nic('lo', '127.0.0.1', { loopback: true }),
      nic('docker0', '172.17.0.1', { virtual: true, bridge: true }),
      nic('veth12ab', '172.17.0.9', { virtual: true }),
      nic('br-1234', '172.18.0.1', { virtual: true }),
      nic('wlan0', '169.254.3.3'),
      nic('enp3s0', '198.18.0.11'),
    ]);
    assert.equal(chosen?.name, 'enp3s0');
  });

  it('prefers hardware but accepts a container\'s own virtual eth0', () => {
    assert.equal(chooseInterface([nic('eth0', '198.18.0.11', { virtual: true })])?.name, 'eth0');
  });

  it('derives .234 from the real subnet, and the last host of a small subnet', () => {
    assert.equal(defaultFloatingIp(Ipv4Address.create('10.1.5.7'), Netmask.create('255.255.0.0')).toString(), '10.1.5.234');
    assert.equal(defaultFloatingIp(Ipv4Address.create('198.18.0.70'), Netmask.create('255.255.255.192')).toString(), '198.18.0.126');
  });
});

describe('configuration: production keys', () => {
  it('resolves checks, witnesses, hooks, auth and the status endpoint', () => {
    const l = loader.loadText(
      [
        'floating_ip:',
        '  enabled: true',
        '  auth:',
        '    secret: [new-secret-0123456789, old-secret-0123456789]',
        '  checks:',
        '    - tcp: 127.0.0.1:8000',
        '      fatal: true',
        '    - name: upstream',
        '      http: http://127.0.0.1:9200/_cluster/health',
        '      weight: 30',
        '      interval_in_ms: 5000',
        '    - command: /usr/local/bin/check-disk --min 10',
        '      weight: 10',
        '  witness: [198.18.0.1]',
        '  notify:',
        '    on_master: [/usr/local/bin/notify, master]',
        '    command: /usr/local/bin/log-state',
        '    timeout_in_ms: 2000',
        '  status:',
        '    listen: 127.0.0.1:9999',
      ].join('\n'),
    );
    assert.ok(l.kind === 'resolved');
    if (l.kind !== 'resolved') return;
    assert.deepEqual(l.auth, { secrets: ['new-secret-0123456789', 'old-secret-0123456789'], secretFile: null, maxClockSkewMs: 30_000 });
    assert.deepEqual(l.status, { host: '127.0.0.1', port: 9999 });
    const [tcp, http, cmd] = l.settings.checks;
    assert.deepEqual(tcp, { name: 'tcp:127.0.0.1:8000', target: { kind: 'tcp', host: '127.0.0.1', port: 8000 }, intervalMs: 2000, timeoutMs: 1000, fall: 3, rise: 2, weight: 0, fatal: true });
    assert.equal(http?.name, 'upstream');
    assert.equal(http?.intervalMs, 5000);
    assert.deepEqual(cmd?.target, { kind: 'command', argv: ['/usr/local/bin/check-disk', '--min', '10'] });
    assert.deepEqual(l.settings.witnesses.map(String), ['198.18.0.1']);
    assert.deepEqual(l.settings.hooks, { onMaster: ['/usr/local/bin/notify', 'master'], command: ['/usr/local/bin/log-state'], timeoutMs: 2000 });
  });

  it("an http check's default name (a metric label, a log and status field) never carries the URL's password", () => {
    const l = loader.loadText('floating_ip:\n  enabled: true\n  checks:\n    - http: http://admin:s3cret-pass@127.0.0.1:9000/health\n      fatal: true\n');
    assert.ok(l.kind === 'resolved');
    const [check] = l.kind === 'resolved' ? l.settings.checks : [];
    assert.equal(check?.name, 'http:http://127.0.0.1:9000/health');
    assert.deepEqual(check?.target, { kind: 'http', url: 'http://admin:s3cret-pass@127.0.0.1:9000/health' });
  });

  it('defaults: no auth, status on 127.0.0.1:61112, no checks; status can be turned off', () => {
    const l = loader.loadText('floating_ip:\n  enabled: true\n');
    assert.ok(l.kind === 'resolved' && l.auth === null && l.status?.port === 61112 && l.settings.checks.length === 0);
    const off = loader.loadText('floating_ip:\n  enabled: true\n  status:\n    listen: "off"\n');
    assert.ok(off.kind === 'resolved' && off.status === null);
  });

  it('a reload restarts the node only for what cannot change in place', async () => {
    const { restartNeededFor } = await import('../../../src/interfaces/cli/reload.js');
    const load = (extra: string) => {
      const l = loader.loadText(`floating_ip:\n  enabled: true\n${extra}`);
      assert.ok(l.kind === 'resolved');
      return l as Extract<typeof l, { kind: 'resolved' }>;
    };
    const base = load('  priority: 100\n');
    assert.deepEqual(restartNeededFor(base, load('  priority: 150\n  echo:\n    timeout_in_ms: 3000\n')), []);
    assert.deepEqual(restartNeededFor(base, load('  ip: 198.18.0.99\n')), ['ip']);
    assert.deepEqual(restartNeededFor(base, load('  auth:\n    secret: 0123456789abcdef\n')), ['auth']);
    assert.deepEqual(restartNeededFor(base, load('  quorum:\n    etcd:\n      endpoints: [http://198.19.0.11:2379]\n')), ['quorum']);
  });
});
