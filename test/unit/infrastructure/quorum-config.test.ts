import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, YamlConfigLoader, type Nic } from '../../../src/infrastructure/index.js';

const HOST: Nic[] = [{ name: 'eth0', addresses: [{ ip: '198.18.0.11', netmask: '255.255.255.0' }], virtual: false, bridge: false, loopback: false }];
const loader = new YamlConfigLoader({ list: () => HOST });
const yaml = (quorum: string): string => `floating_ip:\n  enabled: true\n  ip: 198.18.0.100\n  quorum:\n${quorum}\n`;

function problems(text: string): string {
  try {
    loader.loadText(text, 'test.yml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected the configuration to be refused');
}

describe('floating_ip.quorum: configuration', () => {
  it('takes the issue example, with defaults for what it leaves out', () => {
    const loaded = loader.loadText(yaml('    etcd:\n      endpoints: [http://198.19.0.11:2379, http://198.19.0.12:2379/]'), 'test.yml');
    assert.equal(loaded.kind, 'resolved');
    if (loaded.kind !== 'resolved') return;
    const q = loaded.settings.quorum!;
    assert.deepEqual(q.etcd.endpoints, ['http://198.19.0.11:2379', 'http://198.19.0.12:2379']);
    assert.equal(q.leaseTtlMs, 3000);
    assert.equal(q.keyPrefix, '/floatip');
    assert.equal(q.onLoss, 'release');
  });

  it('is off when absent', () => {
    const loaded = loader.loadText('floating_ip:\n  enabled: true\n  ip: 198.18.0.100\n', 'test.yml');
    assert.ok(loaded.kind === 'resolved' && !loaded.settings.quorum);
  });

  const table: [string, string, RegExp][] = [
    ['no endpoints', '    etcd:\n      endpoints: []', /floating_ip\.quorum\.etcd\.endpoints: needs at least one etcd client URL/],
    ['an endpoint without a port', '    etcd:\n      endpoints: [http://etcd1]', /must be a list of etcd client URLs such as http:\/\/10\.0\.0\.5:2379/],
    ['a TTL etcd cannot grant', '    etcd:\n      endpoints: [http://198.19.0.11:2379]\n    lease_ttl_in_ms: 2500', /lease_ttl_in_ms: 2500 is not allowed: etcd grants leases in whole seconds/],
    ['a TTL under etcd\'s minimum', '    etcd:\n      endpoints: [http://198.19.0.11:2379]\n    lease_ttl_in_ms: 1000', /lease_ttl_in_ms.*from 2000 to 600000/],
    ['a certificate without its key', '    etcd:\n      endpoints: [https://198.19.0.11:2379]\n      cert_file: /etc/floatip/etcd.pem', /cert_file and key_file go together/],
    ['TLS files for http endpoints', '    etcd:\n      endpoints: [http://198.19.0.11:2379]\n      ca_file: /etc/floatip/ca.pem', /apply to https:\/\/ endpoints/],
    ['a user without a password', '    etcd:\n      endpoints: [http://198.19.0.11:2379]\n      username: floatip', /username and password go together/],
    ['an unknown policy', '    etcd:\n      endpoints: [http://198.19.0.11:2379]\n    on_quorum_loss: hope', /on_quorum_loss.*must be release or keep/],
    ['a key prefix with spaces', '    etcd:\n      endpoints: [http://198.19.0.11:2379]\n    key_prefix: /my keys', /key_prefix.*must be a key prefix such as \/floatip/],
  ];
  for (const [what, text, expected] of table) {
    it(`refuses ${what}`, () => assert.match(problems(yaml(text)), expected));
  }
});
