import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PreconditionError, effectiveCapabilities, findTool, hasNetworkPrivileges, preflight, requireTool } from '../../../src/infrastructure/index.js';

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
