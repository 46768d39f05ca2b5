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

  it('root, or both CAP_NET_ADMIN and CAP_NET_RAW, may run it', () => {
    assert.ok(hasNetworkPrivileges(0, 0n));
    assert.ok(hasNetworkPrivileges(1000, 0x3000n));
    assert.ok(!hasNetworkPrivileges(1000, 0x1000n), 'CAP_NET_ADMIN alone cannot send ARP');
    assert.ok(!hasNetworkPrivileges(1000, 0n));
  });

  it('other platforms stop at start with "unsupported platform"', () => {
    for (const platform of ['win32', 'freebsd', 'openbsd'] as const) {
      assert.throws(() => preflight({ platform }), (e: unknown) => e instanceof PreconditionError && new RegExp(`unsupported platform "${platform}"`).test(e.message));
    }
  });
});
