import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, YamlConfigLoader, type Nic } from '../../../src/infrastructure/index.js';

const HOST: Nic[] = [{ name: 'eth0', addresses: [{ ip: '198.18.0.11', netmask: '255.255.255.0' }], virtual: false, bridge: false, loopback: false }];
const loader = new YamlConfigLoader({ list: () => HOST });

const section = (body: string): string => `floating_ip:\n  enabled: true\n  interface: eth0\n${body}`;

function load(yaml: string): ReturnType<YamlConfigLoader['loadText']> {
  return loader.loadText(yaml, 'test.yml');
}

function problems(yaml: string): string {
  try {
    load(yaml);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected the configuration to be refused');
}

function settings(yaml: string): NonNullable<Extract<ReturnType<YamlConfigLoader['loadText']>, { kind: 'resolved' }>['settings']> {
  const loaded = load(yaml);
  assert.equal(loaded.kind, 'resolved');
  return (loaded as Extract<typeof loaded, { kind: 'resolved' }>).settings;
}

describe('the list form of floating_ip (addresses:)', () => {
  it('resolves each entry, inheriting what it leaves out from the section', () => {
    const s = settings(
      section(`  priority: 120
  addresses:
    - ip: 198.18.0.234
      priority: 150
    - ip: 198.18.0.235
      forced_by_priority: true
    - ip: fd00:198:18::234
      prefix_length: 64
`),
    );
    const units = s.units!;
    assert.deepEqual(
      units.map((u) => `${u.name} ${u.addresses.map((a) => `${a.cidr}@${a.family === 4 ? a.aliasName : a.interfaceName}`).join()} ${u.priority.value} ${u.preempt}`),
      ['198.18.0.234 198.18.0.234/24@eth0:fip234 150 false', '198.18.0.235 198.18.0.235/24@eth0:fip235 120 true', 'fd00:198:18::234 fd00:198:18::234/64@eth0 120 false'],
    );
    assert.equal(s.address.ip.toString(), '198.18.0.234');
    assert.equal(s.peerSubnet?.prefixLength, 24);
  });

  it('makes the entries of a group one election, named by the group, inheriting its first entry\'s priority', () => {
    const s = settings(
      section(`  addresses:
    - ip: fd00:198:18::234
      priority: 150
      group: web
    - ip: 198.18.0.240
    - ip: 198.18.0.239
      group: web
    - ip: 198.18.0.234
      group: web
`),
    );
    // on the wire a group is its lowest address, IPv4 first, whatever order a node lists it in
    assert.deepEqual(
      s.units!.map((u) => `${u.name}: ${u.addresses.map((a) => a.ip.toString()).join(', ')} (${u.priority.value})`),
      ['web: 198.18.0.234, 198.18.0.239, fd00:198:18::234 (150)', '198.18.0.240: 198.18.0.240 (100)'],
    );
  });

  it('labels an IPv4 entry by its address, so adding one relabels no other', () => {
    const labels = (yaml: string): string[] => settings(section(yaml)).units!.map((u) => u.addresses[0]!.aliasName);
    assert.deepEqual(labels('  addresses:\n    - ip: 198.18.0.234\n    - ip: 198.18.0.235\n'), ['eth0:fip234', 'eth0:fip235']);
    assert.deepEqual(labels('  addresses:\n    - ip: 198.18.0.233\n    - ip: 198.18.0.234\n    - ip: 198.18.0.235\n'), ['eth0:fip233', 'eth0:fip234', 'eth0:fip235']);
    assert.deepEqual(labels('  label: longlabel12\n  addresses:\n    - ip: 198.18.0.234\n'), ['eth0:f234']);
  });

  it('names the entry in every error', () => {
    const text = problems(
      section(`  addresses:
    - ip: 198.18.0.300
    - ip: 198.18.0.11
    - ip: 198.19.0.5
    - ip: fd00::1
      netmask: 255.255.255.0
    - ip: fe80::1
    - ip: 198.18.0.50
      label: fip
    - ip: 198.18.0.50
    - ip: fd00::2
      group: g
      priority: 10
    - ip: fd00::3
      group: g
      priority: 20
    - ip: fd00::4
      prefix_length: 8
`),
    );
    for (const expected of [
      /floating_ip\.addresses\[0\]\.ip: "198\.18\.0\.300" is not allowed/,
      /floating_ip\.addresses\[1\]\.ip: "198\.18\.0\.11" is not allowed: it is this node's own local_ip/,
      /floating_ip\.addresses\[2\]\.ip: "198\.19\.0\.5" is not allowed: it must be in local_ip 198\.18\.0\.11's subnet/,
      /floating_ip\.addresses\[3\]\.netmask: "255\.255\.255\.0" is not allowed: applies to IPv4 only/,
      /floating_ip\.addresses\[4\]\.ip: "fe80::1" is not allowed: must be a unicast address outside loopback and link-local/,
      /floating_ip\.addresses\[6\]\.ip: "198\.18\.0\.50" is not allowed: floating_ip\.addresses\[5\] has it already/,
      /floating_ip\.addresses\[8\]\.priority: 20 is not allowed: group g has priority 10 \(floating_ip\.addresses\[7\]\)/,
      /floating_ip\.addresses\[9\]\.prefix_length: 8 is not allowed/,
    ]) {
      assert.match(text, expected);
    }
  });

  it('refuses netmask and prefix_length together, a check on no address at all, and prefix_length in the single form', () => {
    assert.match(problems(section('  addresses:\n    - ip: 198.18.0.235\n      netmask: 255.255.255.0\n      prefix_length: 24\n')), /floating_ip\.addresses\[0\]\.prefix_length: 24 is not allowed: set netmask or prefix_length, not both/);
    assert.match(
      problems(section('  addresses:\n    - ip: 198.18.0.235\n  checks:\n    - tcp: 127.0.0.1:81\n      weight: 5\n      fatal: true\n    - tcp: 127.0.0.1:80\n      fatal: true\n      addresses: []\n')),
      /floating_ip\.checks\[1\]\.addresses: \[\] is not allowed: name at least one address or group/,
    );
    assert.match(problems(section('  ip: 198.18.0.234\n  prefix_length: 64\n')), /floating_ip\.prefix_length: 64 is not allowed here/);
  });

  it('refuses ip beside addresses, an empty list, an unknown key in an entry and a check on no such address', () => {
    assert.match(problems(section('  ip: 198.18.0.234\n  addresses:\n    - ip: 198.18.0.235\n')), /floating_ip\.ip: "198\.18\.0\.234" is not allowed beside addresses/);
    assert.match(problems(section('  addresses: []\n')), /floating_ip\.addresses: \[\] is not allowed: list at least one address/);
    assert.match(problems(section('  addresses:\n    - ip: 198.18.0.235\n      weight: 3\n')), /floating_ip\.addresses\[0\]\.weight: unknown key/);
    assert.match(
      problems(section('  addresses:\n    - ip: 198.18.0.235\n  checks:\n    - tcp: 127.0.0.1:80\n      fatal: true\n      addresses: [198.18.0.236]\n')),
      /floating_ip\.checks\[0\]\.addresses\[0\]: "198\.18\.0\.236" is not allowed: it is none of the addresses or groups/,
    );
  });

  it('attaches a check to the addresses it names (by address or group), and to every one by default', () => {
    const s = settings(
      section(`  addresses:
    - ip: 198.18.0.234
      group: web
    - ip: 198.18.0.235
  checks:
    - tcp: 127.0.0.1:80
      fatal: true
      addresses: [198.18.0.234]
    - tcp: 127.0.0.1:81
      weight: 10
`),
    );
    assert.deepEqual(
      s.checks.map((c) => c.addresses ?? 'all'),
      [['web'], 'all'],
    );
  });

  it('keeps the single form exactly as it was: no units', () => {
    const s = settings(section('  ip: 198.18.0.234\n'));
    assert.equal(s.units, undefined);
    assert.equal(s.address.aliasName, 'eth0:fip');
  });
});
