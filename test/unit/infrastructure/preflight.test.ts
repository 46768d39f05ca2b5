import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  PreconditionError,
  effectiveCapabilities,
  findTool,
  hasNetworkPrivileges,
  ipv6ToolsProblem,
  preflight,
  requireIpv6Tools,
  requireTool,
  type Toolkit,
} from '../../../src/infrastructure/index.js';
import { ToolDirs } from '../../support/tool-dirs.js';

describe('preflight', () => {
  it('a missing tool is one clear error naming the package to install', () => {
    assert.throws(
      () => requireTool('floatip-no-such-tool', 'net-tools'),
      (e: unknown) => e instanceof PreconditionError && e.code === 'FLOATIP_PRECONDITION' && /`floatip-no-such-tool` was not found on PATH: install net-tools/.test(e.message),
    );
  });

  it('looks on PATH only, and says so when the tool is installed elsewhere', () => {
    assert.equal(findTool('sh', '/nonexistent'), null);
    assert.throws(() => requireTool('sh', 'dash', '/nonexistent', ['/usr/bin', '/bin']), /`sh` is at \/(usr\/)?bin\/sh but not on PATH \(\/nonexistent\): add \/(usr\/)?bin to PATH/);
  });

  it('reads effective capabilities from /proc status text', () => {
    assert.equal(effectiveCapabilities('Name:\tnode\nCapEff:\t0000000000003000\n'), 0x3000n);
    assert.equal(effectiveCapabilities('Name:\tnode\n'), 0n);
  });

  it('both CAP_NET_ADMIN and CAP_NET_RAW in effect may run it, whatever the uid', () => {
    assert.ok(hasNetworkPrivileges(0x3000n));
    assert.ok(hasNetworkPrivileges(0x3fffffffffn));
    assert.ok(!hasNetworkPrivileges(0x1000n), 'CAP_NET_ADMIN alone cannot send ARP');
    assert.ok(!hasNetworkPrivileges(0n));
  });

  it('on Linux the effective capabilities decide, not the uid: root without them is refused, a user with them is not', () => {
    const refused = (e: unknown): boolean => e instanceof PreconditionError && /must run as root or with CAP_NET_ADMIN and CAP_NET_RAW/.test(e.message);
    assert.throws(() => preflight({ platform: 'linux', uid: 0, capabilities: 0n, path: '/usr/sbin:/usr/bin:/sbin:/bin' }), refused);
    assert.throws(() => preflight({ platform: 'linux', uid: 1000, capabilities: 0x2000n, path: '/usr/sbin:/usr/bin:/sbin:/bin' }), refused);
    assert.doesNotThrow(
      () => {
        try {
          preflight({ platform: 'linux', uid: 1000, capabilities: 0x3000n, path: '/usr/sbin:/usr/bin:/sbin:/bin' });
        } catch (e) {
          // a tool missing from this machine is fine here: the privilege check came first and passed
          if (refused(e)) throw e;
        }
      },
    );
  });

  it('other platforms stop at start with "unsupported platform"', () => {
    for (const platform of ['win32', 'freebsd', 'openbsd'] as const) {
      assert.throws(() => preflight({ platform }), (e: unknown) => e instanceof PreconditionError && new RegExp(`unsupported platform "${platform}"`).test(e.message));
    }
  });
});

describe('the tools an IPv6 floating address needs', () => {
  const tools = new ToolDirs();
  after(() => tools.remove());
  const bin = (...names: string[]): string => tools.bin(...names);
  const root = { uid: 0, capabilities: 0x3000n, platform: 'linux' as const, hintDirs: [] };
  const linux: Toolkit = { os: 'linux', addressTool: 'ip', addressCommand: '/sbin/ip', ping: '/bin/ping', pingFlavor: 'iputils', arping: '/usr/sbin/arping', xargs: '/usr/bin/xargs' };
  const refused = (text: string) => (e: unknown) => e instanceof PreconditionError && e.code === 'FLOATIP_PRECONDITION' && e.message === text;

  it('preflight finds ndisc6 and na6 on PATH, and starts without them (only an IPv6 address needs them)', () => {
    const d = bin('ip', 'ping', 'arping', 'xargs', 'ndisc6', 'na6');
    const kit = preflight({ ...root, path: d });
    assert.equal(kit.ndisc6, join(d, 'ndisc6'));
    assert.equal(kit.na6, join(d, 'na6'));
    assert.doesNotThrow(() => requireIpv6Tools(kit));
    const bare = preflight({ ...root, path: bin('ip', 'ping', 'arping', 'xargs') });
    assert.equal(bare.ndisc6, null);
    assert.equal(bare.na6, null);
  });
  it('either missing is refused, naming each tool, what it is for, and its Debian package', () => {
    assert.throws(
      () => requireIpv6Tools(linux),
      refused('an IPv6 floating address needs `ndisc6` for its conflict probe and `na6` for its neighbour advertisements, not found on PATH: install the ndisc6 and ipv6toolkit packages'),
    );
    assert.throws(
      () => requireIpv6Tools({ ...linux, ndisc6: '/usr/bin/ndisc6', na6: null }),
      refused('an IPv6 floating address needs `na6` for its neighbour advertisements, not found on PATH: install the ipv6toolkit package'),
    );
    assert.throws(
      () => requireIpv6Tools({ ...linux, na6: '/usr/sbin/na6' }),
      refused('an IPv6 floating address needs `ndisc6` for its conflict probe, not found on PATH: install the ndisc6 package'),
    );
  });
  it('macOS needs ndisc6 only: floatip sends no advertisement there', () => {
    const mac: Toolkit = { ...linux, os: 'darwin', addressTool: 'macos-ifconfig', arping: null, pingFlavor: 'macos' };
    assert.equal(ipv6ToolsProblem({ ...mac, ndisc6: '/usr/local/bin/ndisc6' }), null);
    assert.throws(() => requireIpv6Tools(mac), /needs `ndisc6` for its conflict probe, not found on PATH/);
  });
});
