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
  DeadlineReleaseGuard,
  DualStackAnnouncer,
  DualStackConflictProbe,
  IfconfigAddressTable,
  Iproute2AddressTable,
  KernelAnnouncer,
  LocalHealthProbe,
  MacosIfconfigAddressTable,
  Na6Announcer,
  Ndisc6ConflictProbe,
  PingArpingConflictProbe,
  PreconditionError,
  XargsReleaseGuard,
  createPlatformAdapters,
  type CommandAddressTable,
  type Toolkit,
} from '../../../src/infrastructure/index.js';
import { anAddress, anIpv6Address } from '../../support/builders.js';
import { RecordingLogger } from '../../support/fakes.js';

const linuxVip = anAddress();
const macVip = anAddress('192.168.3.234', 'en0');
const vip6 = anIpv6Address();

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

  it("quorum mode's guards keep a deadline on Linux (bash); on macOS they cannot, and the daemon says so once", () => {
    const logger = new RecordingLogger();
    const adapters = createPlatformAdapters(linux('ip', '/sbin/ip'), logger, undefined, { guardDeadlines: true });
    assert.ok(adapters.releaseGuard instanceof DeadlineReleaseGuard);
    assert.ok(adapters.makeReleaseGuard() instanceof DeadlineReleaseGuard, 'one more for a node of several addresses');
    assert.ok(!logger.has('quorum mode without'));
    const macLogger = new RecordingLogger();
    const macAdapters = createPlatformAdapters(mac, macLogger, undefined, { guardDeadlines: true });
    assert.ok(!(macAdapters.releaseGuard instanceof DeadlineReleaseGuard) && macAdapters.releaseGuard instanceof XargsReleaseGuard);
    assert.equal(macLogger.lines.filter((l) => l.includes('quorum mode without a bash that counts fractions of a second')).length, 1);
  });

  for (const [name, kit, vip, Table, bind, release] of [
    ['Linux ifconfig', linux('ifconfig', '/sbin/ifconfig'), linuxVip, IfconfigAddressTable, '/sbin/ifconfig eth0:fip 198.18.0.100 netmask 255.255.255.0 up', '/sbin/ifconfig eth0:fip down'],
    ['Linux ip', linux('ip', '/sbin/ip'), linuxVip, Iproute2AddressTable, '/sbin/ip addr add 198.18.0.100/24 dev eth0 label eth0:fip', '/sbin/ip addr del 198.18.0.100/24 dev eth0'],
    ['macOS ifconfig', mac, macVip, MacosIfconfigAddressTable, '/sbin/ifconfig en0 alias 192.168.3.234 255.255.255.0', '/sbin/ifconfig en0 -alias 192.168.3.234'],
  ] as const) {
    it(`${name}: its address table, with the commands it runs`, () => {
      const adapters = createPlatformAdapters(kit, new RecordingLogger());
      assert.ok(adapters.addressTable instanceof Table, `picked ${adapters.addressTable.constructor.name}`);
      assert.deepEqual(commands(adapters.addressTable, vip), { bind, release });
      // the heartbeat mode's guard: xargs, no deadline
      assert.ok(adapters.releaseGuard instanceof XargsReleaseGuard && !(adapters.releaseGuard instanceof DeadlineReleaseGuard));
      // one probe for both families; IPv4 is asked with ARP and ping
      assert.ok(adapters.conflictProbe instanceof DualStackConflictProbe);
      assert.ok(adapters.conflictProbe.ipv4 instanceof PingArpingConflictProbe);
      assert.equal(adapters.conflictProbe.deadlineMs, CONFLICT_PROBE_DEADLINE_MS);
      assert.ok(adapters.healthProbe instanceof LocalHealthProbe);
    });
  }

  it('announces with arping where the toolkit has it, and leaves it to the kernel where it has none', () => {
    const ipv4Of = (kit: Toolkit) => {
      const announcer = createPlatformAdapters(kit, new RecordingLogger()).announcer;
      assert.ok(announcer instanceof DualStackAnnouncer, `picked ${announcer.constructor.name}`);
      return announcer.ipv4;
    };
    const withArping = ipv4Of(linux('ip', '/sbin/ip'));
    assert.ok(withArping instanceof ArpingAnnouncer, `picked ${withArping.constructor.name}`);
    assert.deepEqual(withArping.sendCommand(linuxVip), { file: '/usr/sbin/arping', args: ['-U', '-c', '1', '-I', 'eth0', '198.18.0.100'] });
    assert.ok(ipv4Of(linux('ip', '/sbin/ip', null)) instanceof KernelAnnouncer);
    assert.ok(ipv4Of(mac) instanceof KernelAnnouncer);
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

  const withIpv6 = (kit: Toolkit): Toolkit => ({ ...kit, ndisc6: '/usr/bin/ndisc6', na6: '/usr/sbin/na6', neighbourTool: '/sbin/ip' });
  const link = { mac: () => '36:7b:26:e6:aa:b8', forwarding: () => false };

  for (const [name, kit, address, bind, release] of [
    ['Linux ifconfig, ip installed', withIpv6(linux('ifconfig', '/sbin/ifconfig')), vip6, '/sbin/ip -6 addr add fd00:198:18::234/64 dev eth0 nodad', '/sbin/ifconfig eth0 inet6 del fd00:198:18::234/64'],
    ['Linux ifconfig alone', linux('ifconfig', '/sbin/ifconfig'), vip6, '/sbin/ifconfig eth0 inet6 add fd00:198:18::234/64', '/sbin/ifconfig eth0 inet6 del fd00:198:18::234/64'],
    ['Linux ip', withIpv6(linux('ip', '/sbin/ip')), vip6, '/sbin/ip -6 addr add fd00:198:18::234/64 dev eth0 nodad', '/sbin/ip -6 addr del fd00:198:18::234/64 dev eth0'],
    ['macOS ifconfig', mac, anIpv6Address('fd00:198:18::234', 'en0'), '/sbin/ifconfig en0 inet6 fd00:198:18::234 prefixlen 64 alias', '/sbin/ifconfig en0 inet6 fd00:198:18::234 -alias'],
  ] as const) {
    it(`${name}: the commands it runs for an IPv6 address`, () => {
      assert.deepEqual(commands(createPlatformAdapters(kit, new RecordingLogger()).addressTable, address), { bind, release });
    });
  }

  it('Linux with ndisc6 and na6: IPv6 is probed with ndisc6 and announced with na6', () => {
    const adapters = createPlatformAdapters(withIpv6(linux('ip', '/sbin/ip')), new RecordingLogger(), undefined, { link });
    assert.ok(adapters.conflictProbe instanceof DualStackConflictProbe && adapters.conflictProbe.ipv6 instanceof Ndisc6ConflictProbe);
    assert.ok(adapters.announcer instanceof DualStackAnnouncer && adapters.announcer.ipv6 instanceof Na6Announcer);
    assert.equal(adapters.conflictProbe.ipv6.deadlineMs, CONFLICT_PROBE_DEADLINE_MS);
    assert.equal(adapters.announcer.ipv6.sendCommand(vip6).file, '/usr/sbin/na6');
  });

  it('without them, an IPv4 node runs as before and an IPv6 address is refused naming the packages', async () => {
    const adapters = createPlatformAdapters(linux('ip', '/sbin/ip'), new RecordingLogger());
    const named = (e: unknown) => e instanceof PreconditionError && /install the ndisc6 and ipv6toolkit packages/.test(e.message);
    await assert.rejects(adapters.conflictProbe.probe(vip6), named);
    await assert.rejects(adapters.announcer.announce(vip6, 1), named);
  });

  it('macOS sends no advertisement for IPv6 and says so once, as a warning', async () => {
    const logger = new RecordingLogger();
    const adapters = createPlatformAdapters({ ...mac, ndisc6: '/usr/local/bin/ndisc6' }, logger);
    const mac6 = anIpv6Address('fd00:198:18::234', 'en0');
    await adapters.announcer.announce(mac6, 3);
    await adapters.announcer.announce(mac6, 3);
    assert.equal(logger.lines.filter((l) => l.startsWith('warn macOS: floatip sends no unsolicited neighbour advertisement')).length, 1);
  });

  it('an IPv6 takeover\'s bind and first advertisement run with the tools the toolkit named', async () => {
    const d = mkdtempSync(join(tmpdir(), 'floatip-kit6-'));
    try {
      const log = join(d, 'ran');
      for (const tool of ['ip', 'arping', 'na6']) {
        writeFileSync(join(d, tool), `#!/bin/sh\necho "$(basename "$0") $*" >> ${log}\n`);
        chmodSync(join(d, tool), 0o755);
      }
      const kit: Toolkit = { ...linux('ip', join(d, 'ip'), join(d, 'arping')), neighbourTool: join(d, 'ip'), ndisc6: join(d, 'ndisc6'), na6: join(d, 'na6') };
      const adapters = createPlatformAdapters(kit, new RecordingLogger(), [linuxVip, vip6], { link });
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!existsSync(log), 'prepared commands wait to be asked');
      await adapters.addressTable.bind(vip6);
      await adapters.announcer.announce(vip6, 1);
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
        'ip -6 addr add fd00:198:18::234/64 dev eth0 nodad',
        'na6 -i eth0 -s fd00:198:18::234 -d ff02::1 -t fd00:198:18::234 -S 36:7b:26:e6:aa:b8 -E 36:7b:26:e6:aa:b8 -o',
      ]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
