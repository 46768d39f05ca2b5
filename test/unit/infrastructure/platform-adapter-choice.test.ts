// What createPlatformAdapters picks for each platform and tool: the adapter classes, and the command lines they run.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FloatingAddress } from '../../../src/domain/index.js';
import {
  ArpingAnnouncer,
  CONFLICT_PROBE_DEADLINE_MS,
  IfconfigAddressTable,
  Iproute2AddressTable,
  KernelAnnouncer,
  LocalHealthProbe,
  MacosIfconfigAddressTable,
  PingArpingConflictProbe,
  XargsReleaseGuard,
  createPlatformAdapters,
  type CommandAddressTable,
  type Toolkit,
} from '../../../src/infrastructure/index.js';
import { anAddress } from '../../support/builders.js';
import { RecordingLogger } from '../../support/fakes.js';

const linuxVip = anAddress();
const macVip = anAddress('192.168.3.234', 'en0');

describe('the adapters a toolkit picks (createPlatformAdapters)', () => {
  const linux = (addressTool: 'ip' | 'ifconfig', addressCommand: string, arping: string | null = '/usr/sbin/arping'): Toolkit => ({
    os: 'linux',
    addressTool,
    addressCommand,
    ping: '/bin/ping',
    pingFlavor: 'iputils',
    arping,
    xargs: '/usr/bin/xargs',
  });
  const mac: Toolkit = { os: 'darwin', addressTool: 'macos-ifconfig', addressCommand: '/sbin/ifconfig', ping: '/sbin/ping', pingFlavor: 'macos', arping: null, xargs: '/usr/bin/xargs' };
  const commands = (table: unknown, address: FloatingAddress) => {
    const t = table as CommandAddressTable;
    return { bind: [t.bindCommand(address).file, ...t.bindCommand(address).args].join(' '), release: [t.releaseCommand(address).file, ...t.releaseCommand(address).args].join(' ') };
  };

  for (const [name, kit, vip, Table, bind, release] of [
    ['Linux ifconfig', linux('ifconfig', '/sbin/ifconfig'), linuxVip, IfconfigAddressTable, '/sbin/ifconfig eth0:fip 198.18.0.100 netmask 255.255.255.0 up', '/sbin/ifconfig eth0:fip down'],
    ['Linux ip', linux('ip', '/sbin/ip'), linuxVip, Iproute2AddressTable, '/sbin/ip addr add 198.18.0.100/24 dev eth0 label eth0:fip', '/sbin/ip addr del 198.18.0.100/24 dev eth0'],
    ['macOS ifconfig', mac, macVip, MacosIfconfigAddressTable, '/sbin/ifconfig en0 alias 192.168.3.234 255.255.255.0', '/sbin/ifconfig en0 -alias 192.168.3.234'],
  ] as const) {
    it(`${name}: its address table, with the commands it runs`, () => {
      const adapters = createPlatformAdapters(kit, new RecordingLogger());
      assert.ok(adapters.addressTable instanceof Table, `picked ${adapters.addressTable.constructor.name}`);
      assert.deepEqual(commands(adapters.addressTable, vip), { bind, release });
      assert.ok(adapters.releaseGuard instanceof XargsReleaseGuard);
      assert.ok(adapters.conflictProbe instanceof PingArpingConflictProbe);
      assert.equal(adapters.conflictProbe.deadlineMs, CONFLICT_PROBE_DEADLINE_MS);
      assert.ok(adapters.healthProbe instanceof LocalHealthProbe);
    });
  }

  it('announces with arping where the toolkit has it, and leaves it to the kernel where it has none', () => {
    const withArping = createPlatformAdapters(linux('ip', '/sbin/ip'), new RecordingLogger()).announcer;
    assert.ok(withArping instanceof ArpingAnnouncer, `picked ${withArping.constructor.name}`);
    assert.deepEqual(withArping.sendCommand(linuxVip), { file: '/usr/sbin/arping', args: ['-U', '-c', '1', '-I', 'eth0', '198.18.0.100'] });
    assert.ok(createPlatformAdapters(linux('ip', '/sbin/ip', null), new RecordingLogger()).announcer instanceof KernelAnnouncer);
    assert.ok(createPlatformAdapters(mac, new RecordingLogger()).announcer instanceof KernelAnnouncer);
  });

  it('the bind and the announcement it runs use the tools the toolkit named', async () => {
    const d = mkdtempSync(join(tmpdir(), 'floatip-kit-'));
    try {
      const log = join(d, 'ran');
      for (const tool of ['ip', 'arping']) {
        writeFileSync(join(d, tool), `#!/bin/sh\necho "$(basename "$0") $*" >> ${log}\n`);
        chmodSync(join(d, tool), 0o755);
      }
      const adapters = createPlatformAdapters({ ...linux('ip', join(d, 'ip'), join(d, 'arping')) }, new RecordingLogger(), linuxVip);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!existsSync(log), 'prepared commands wait to be asked');
      await adapters.addressTable.bind(linuxVip);
      await adapters.announcer.announce(linuxVip, 1);
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['ip addr add 198.18.0.100/24 dev eth0 label eth0:fip', 'arping -U -c 1 -I eth0 198.18.0.100']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
