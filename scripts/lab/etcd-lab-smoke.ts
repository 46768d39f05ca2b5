// Smoke check of the etcd lab (as root): nice -n 19 node dist/scripts/lab/etcd-lab-smoke.js
// A 2-node lab with a 3-member cluster: form it, use it from a gateway over eth1, lose the leader, cut a node off.
import { EtcdLab } from './etcd-lab.js';
import { NetnsLab } from './netns-lab.js';

function check(ok: boolean, what: string, detail = ''): void {
  if (!ok) throw new Error(`${what}${detail ? `: ${detail}` : ''}`);
  console.log(`ok  ${what}`);
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: Math.round(performance.now() - start) };
}

const lab = await NetnsLab.create(2);
let etcd: EtcdLab | undefined;
try {
  const [node1, node2] = lab.pair();
  const made = await timed(() => EtcdLab.create(lab));
  etcd = made.value;
  console.log(`cluster healthy ${etcd.healthyAfterMs} ms after the members started (${made.ms} ms with the namespaces)`);

  const put = await etcd.etcdctlFrom(node1, ['put', 'floatip/smoke', 'one']);
  check(put.code === 0, 'node1 puts a key over eth1', put.stderr);
  const get = await etcd.etcdctlFrom(node2, ['get', '--print-value-only', 'floatip/smoke']);
  check(get.code === 0 && get.stdout.trim() === 'one', 'node2 reads it back', get.stdout + get.stderr);

  const old = await etcd.leader();
  console.log(`leader is member ${old}`);
  await etcd.killMember(old);
  const next = await etcd.waitForLeader({ not: old });
  console.log(`member ${old} killed: member ${next.index} leads ${next.ms} ms later`);
  const again = await timed(() => etcd!.etcdctlFrom(node2, ['put', 'floatip/smoke', 'two']));
  check(again.value.code === 0, `node2 puts with member ${old} dead (${again.ms} ms)`, again.value.stderr);

  await etcd.cutNode(node1);
  const cut = await timed(() => etcd!.etcdctlFrom(node1, ['get', 'floatip/smoke'], 8000));
  check(cut.value.code !== 0, `node1 cut off: its get fails after ${cut.ms} ms`, cut.value.stdout);
  console.log(`    (${cut.value.stderr.trim().split('\n').pop() ?? ''})`);
  const other = await etcd.etcdctlFrom(node2, ['get', '--print-value-only', 'floatip/smoke']);
  check(other.code === 0 && other.stdout.trim() === 'two', 'node2 still reads', other.stderr);
  await etcd.healNode(node1);
  const healed = await etcd.etcdctlFrom(node1, ['get', '--print-value-only', 'floatip/smoke']);
  check(healed.code === 0 && healed.stdout.trim() === 'two', 'node1 healed reads again', healed.stderr);

  await etcd.cutNode(node1, 'silent');
  const silent = await timed(() => etcd!.etcdctlFrom(node1, ['get', 'floatip/smoke'], 8000));
  check(silent.value.code !== 0, `node1 cut silently: its get fails after ${silent.ms} ms`, silent.value.stdout);
  await etcd.healNode(node1);

  await etcd.startMember(old);
  const back = await timed(() => etcd!.waitHealthy());
  check(true, `member ${old} restarted on its data: all healthy after ${back.ms} ms`);

  await etcd.cutAll();
  const none = await timed(() => etcd!.etcdctlFrom(node2, ['get', 'floatip/smoke'], 8000));
  check(none.value.code !== 0, `all cut: node2's get fails after ${none.ms} ms`, none.value.stdout);
  await etcd.healAll();
  const whole = await timed(() => etcd!.waitForLeader());
  const after = await etcd.etcdctlFrom(node2, ['get', '--print-value-only', 'floatip/smoke']);
  check(after.code === 0 && after.stdout.trim() === 'two', `healed: member ${whole.value.index} leads ${whole.ms} ms later, node2 reads`, after.stderr);
} catch (err) {
  console.error(err);
  if (etcd) console.error(etcd.logs(15));
  process.exitCode = 1;
} finally {
  // the lab's destroy() takes the cluster with it (EtcdLab.create registers it): the path of a test that forgot
  await lab.destroy();
}
