// The dead man's switch with real processes: xargs (bash in quorum mode), and a release "tool" that only writes down
// its arguments.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeadlineReleaseGuard, XargsReleaseGuard, findTool, type CommandLine, type ReleasableAddressTable } from '../../../src/infrastructure/index.js';
import { anAddress } from '../../support/builders.js';
import { RecordingLogger } from '../../support/fakes.js';

/** The guard only asks how to release; anything else would be a call it must not make. */
class ReleaseOnlyTable implements ReleasableAddressTable {
  constructor(readonly releaseTool: string) {}
  releaseCommand(): CommandLine {
    return { file: this.releaseTool, args: ['del', '198.18.0.100/24'] };
  }
  async bind(): Promise<void> {
    assert.fail('the release guard bound the address');
  }
  async unbind(): Promise<void> {
    assert.fail('the release guard unbound the address itself');
  }
  async holds(): Promise<boolean> {
    return assert.fail('the release guard read the address table');
  }
}

const GUARD_MODULE = new URL('../../../src/infrastructure/index.js', import.meta.url).href;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('xargs release guard', () => {
  let dir: string;
  let tool: string;
  let ran: string;
  let starts: string;
  let xargs: string;
  let bash: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'floatip-guard-'));
    ran = join(dir, 'ran');
    starts = join(dir, 'starts');
    tool = join(dir, 'release-tool');
    writeFileSync(tool, `#!/bin/sh\necho "$@" >> ${ran}\n`);
    // counts the guard's process starts, then is the real xargs
    xargs = join(dir, 'xargs');
    writeFileSync(xargs, `#!/bin/sh\necho start >> ${starts}\nexec ${findTool('xargs') ?? '/usr/bin/xargs'} "$@"\n`);
    bash = join(dir, 'bash');
    writeFileSync(bash, `#!/bin/sh\necho start >> ${starts}\nexec ${findTool('bash', '/bin:/usr/bin') ?? '/bin/bash'} "$@"\n`);
    chmodSync(tool, 0o755);
    chmodSync(xargs, 0o755);
    chmodSync(bash, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const table = (): ReleasableAddressTable => new ReleaseOnlyTable(tool);
  const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  const reset = (): void => {
    rmSync(ran, { force: true });
    rmSync(starts, { force: true });
  };

  it('arming after a disarm writes to the spare instead of starting a process', async () => {
    reset();
    const guard = new XargsReleaseGuard(xargs, table());
    await guard.disarm();
    await sleep(100);
    assert.equal(lines(starts).length, 1, 'the disarm started a spare');
    await guard.arm(anAddress());
    assert.equal(lines(starts).length, 1, 'arming took the spare');
    await guard.disarm();
    await sleep(100);
    assert.deepEqual(lines(ran), [], 'a disarmed guard runs nothing');
  });

  const INFRA_MODULE = new URL('../../../src/infrastructure/index.js', import.meta.url).href;
  const DOMAIN_MODULE = new URL('../../../src/domain/index.js', import.meta.url).href;
  // what the child gives the guard (the tool is known once before() ran): a table that only knows one release
  // command, or a real one of the given class
  const onlyRelease = (): string => `const table = { releaseTool: ${JSON.stringify(tool)}, releaseCommand: () => ({ file: ${JSON.stringify(tool)}, args: ['del', '198.18.0.100/24'] }) };`;
  const realTable = (name: string) => (): string =>
    `const { ${name} } = await import(${JSON.stringify(INFRA_MODULE)}); const table = new ${name}(${JSON.stringify(tool)}, undefined, { ip: '/nonexistent/ip' });`;
  const armIpv6 = [
    `const { FloatingAddress, Ipv6Address } = await import(${JSON.stringify(DOMAIN_MODULE)});`,
    "await guard.arm(FloatingAddress.create({ ip: Ipv6Address.create('fd00:198:18::234'), prefixLength: 64, interfaceName: 'eth0', label: 'fip' }));",
  ].join('\n');

  for (const [what, setup, arm, expected, kind = 'xargs'] of [
    ['an armed spare removes the address when its owner is killed', onlyRelease, 'await guard.arm({});', ['del 198.18.0.100/24']],
    ["quorum mode's guard, armed with a deadline far off, removes the address when its owner is killed", onlyRelease, 'guard.deadline({}, 60_000); await guard.arm({});', ['del 198.18.0.100/24'], 'bash'],
    ["a spare of quorum mode's guard that was never armed runs nothing when its owner dies", onlyRelease, 'guard.deadline({}, 1);', [], 'bash'],
    ['a spare that was never armed runs nothing when its owner dies', onlyRelease, '', []],
    ['an IPv6 address armed with iproute2 is removed with ip -6', realTable('Iproute2AddressTable'), armIpv6, ['-6 addr del fd00:198:18::234/64 dev eth0']],
    ['an IPv6 address armed with ifconfig is removed with ifconfig inet6 del, by the same spare', realTable('IfconfigAddressTable'), armIpv6, ['eth0 inet6 del fd00:198:18::234/64']],
  ] as const) {
    it(what, async () => {
      reset();
      const code = [
        `const { XargsReleaseGuard, DeadlineReleaseGuard } = await import(${JSON.stringify(GUARD_MODULE)});`,
        setup(),
        kind === 'bash' ? `const guard = new DeadlineReleaseGuard(${JSON.stringify(bash)}, table);` : `const guard = new XargsReleaseGuard(${JSON.stringify(xargs)}, table);`,
        'await guard.disarm();',
        'await new Promise((r) => setTimeout(r, 100));',
        arm,
        "process.stdout.write('ready\\n');",
        'setInterval(() => {}, 1000);',
      ].join('\n');
      const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (c) => reject(new Error(`child exited with ${c}`)));
      });
      child.kill('SIGKILL');
      const deadline = Date.now() + 3000;
      while (lines(ran).length < expected.length && Date.now() < deadline) await sleep(20);
      await sleep(100);
      assert.deepEqual(lines(ran), expected);
      assert.equal(lines(starts).length, 1, 'one process start: the spare');
    });
  }

  describe("quorum mode's deadline (a daemon that stands still)", () => {
    const guardOf = (logger = new RecordingLogger()): DeadlineReleaseGuard => new DeadlineReleaseGuard(bash, table(), logger);
    const waitForRun = async (ms: number): Promise<void> => {
      const until = Date.now() + ms;
      while (lines(ran).length === 0 && Date.now() < until) await sleep(10);
    };

    it('a deadline given before the arm, and not moved, removes the address once it passes, and says so', async () => {
      reset();
      const logger = new RecordingLogger();
      const guard = guardOf(logger);
      const given = Date.now();
      guard.deadline(anAddress(), 400);
      await sleep(100);
      await guard.arm(anAddress());
      await waitForRun(3000);
      const took = Date.now() - given;
      assert.deepEqual(lines(ran), ['del 198.18.0.100/24']);
      assert.ok(took >= 390 && took < 1500, `ran ${took} ms after the deadline of 400 ms was given`);
      await sleep(50);
      assert.ok(logger.has('removed 198.18.0.100/24 on eth0:fip at its deadline'), logger.lines.join('\n'));
      await guard.disarm();
    });

    it('each new deadline moves it; a disarm then runs nothing', async () => {
      reset();
      const guard = guardOf();
      guard.deadline(anAddress(), 300);
      await guard.arm(anAddress());
      for (let i = 0; i < 10; i++) {
        await sleep(100);
        guard.deadline(anAddress(), 300);
      }
      assert.deepEqual(lines(ran), [], 'moved every 100 ms, a deadline of 300 ms never passed');
      await guard.disarm();
      await sleep(500);
      assert.deepEqual(lines(ran), [], 'a disarmed guard runs nothing');
    });

    it('a deadline taken back (null) does not fire; one already past fires at once', async () => {
      reset();
      const guard = guardOf();
      guard.deadline(anAddress(), 200);
      await guard.arm(anAddress());
      guard.deadline(anAddress(), null);
      await sleep(600);
      assert.deepEqual(lines(ran), []);
      guard.deadline(anAddress(), 0);
      await waitForRun(2000);
      assert.deepEqual(lines(ran), ['del 198.18.0.100/24']);
      await guard.disarm();
    });

    it('a disarm ends the deadline: the next arm has none until one is given', async () => {
      reset();
      const guard = guardOf();
      guard.deadline(anAddress(), 200);
      await guard.disarm();
      await guard.arm(anAddress());
      await sleep(600);
      assert.deepEqual(lines(ran), []);
      await guard.disarm();
    });
  });
});
