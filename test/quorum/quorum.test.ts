import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sh, type CommandResult } from '../../scripts/lab/netns-lab.js';
import { describeLabs } from '../support/describe-lab.js';
import { holdersNow, sleep } from '../support/lab-watch.js';
import { LEASE_TTL_MS, describeQuorumLab, freshPair, settledOn, twoHolders, watchAllHolders } from '../support/quorum-lab.js';

/** How often the daemon has said it holds the address's etcd key. */
const claimsOf = (n: { daemon: { output: string } | null }): number => n.daemon!.output.split('etcd key of 198.18.0.100: held by this node').length - 1;

/** An nftables rule in `ns` that answers every TCP segment to the echo port with a reset (off: the rule's table gone). */
async function rejectEchoPort(ns: string, on = true): Promise<void> {
  const nft = (...args: string[]): Promise<CommandResult> => sh('ip', ['netns', 'exec', ns, 'nft', ...args]);
  const steps = on
    ? [['add', 'table', 'inet', 'fiplab'], ['add', 'chain', 'inet', 'fiplab', 'input', '{ type filter hook input priority 0; }'], ['add', 'rule', 'inet', 'fiplab', 'input', 'tcp', 'dport', '61111', 'reject', 'with', 'tcp', 'reset']]
    : [['delete', 'table', 'inet', 'fiplab']];
  for (const step of steps) {
    const r = await nft(...step);
    if (r.code !== 0) throw new Error(`nft ${step.join(' ')} in ${ns}: ${r.stderr.trim()}`);
  }
}

// Each fault runs on a settled pair (node2 master with the etcd key, node1 its backup), with the holders sampled
// every ~20 ms from before the fault to after it: at no sample may both nodes hold the address.
describeLabs('quorum mode: an etcd lease decides who holds the address (three etcd members in namespaces)', () => {
  describeQuorumLab('faults on the way to etcd and between the nodes', (ctx) => {
    it('the holder loses etcd but not its peers: it releases before its lease can end, then node1 takes over', async () => {
      const { lab, etcd } = ctx;
      const [n1, n2] = await freshPair(ctx);
      const watch = watchAllHolders(lab.nodes);
      await etcd.cutNode(n2);
      await lab.waitFor('node1 to hold the address', () => n1.holdsVip(), (h) => h, LEASE_TTL_MS * 3);
      await sleep(500);
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      assert.match(n2.daemon!.output, /releasing before the etcd lease can end/);
      // a daemon whose timers fire releases at its fence, before its guard's deadline
      assert.doesNotMatch(n2.daemon!.output, /the release guard removed/);
      console.log(`# holder cut from etcd: node1 held the address alone from ${settledOn(samples, 'node1')} ms after the cut`);
    });

    it('the nodes lose each other but not etcd: node1 never binds, node2 keeps the address', async () => {
      const { lab } = ctx;
      const [n1, n2] = await freshPair(ctx);
      const watch = watchAllHolders(lab.nodes);
      // node2's gateway link goes (its peers and clients), its etcd link stays
      await n2.unplug();
      await sleep(LEASE_TTL_MS * 2);
      await n2.plug();
      await sleep(1000);
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      assert.ok(samples.every((s) => s.holders === 'node2'), `holders seen: ${[...new Set(samples.map((s) => s.holders))].join(', ')}\n${lab.logs()}`);
      assert.match(n1.daemon!.output, /etcd key of 198\.18\.0\.100: held by 198\.18\.0\.12/);
    });

    it("a firewall rejects the holder's echo port with TCP resets: its heartbeats still pass, so node1 revokes no lease", async () => {
      const { lab } = ctx;
      const [n1, n2] = await freshPair(ctx);
      const watch = watchAllHolders(lab.nodes);
      // node1's link to node2 reset (as a forged reset would; ss -K makes node2's kernel send it) and its redial
      // refused by the firewall: what a killed daemon's host does, with node2's daemon alive
      await rejectEchoPort(n2.ns);
      try {
        const ss = (...args: string[]): Promise<CommandResult> => sh('ip', ['netns', 'exec', n2.ns, 'ss', ...args, 'sport', '=', ':61111', 'dst', n1.ip]);
        const kill = await ss('-K');
        // ss -K says nothing where the kernel cannot destroy sockets (no CONFIG_INET_DIAG_DESTROY)
        const left = await ss('-Htn', 'state', 'established');
        if (kill.code !== 0 || left.stdout.trim()) throw new Error(`ss -K in ${n2.ns} left node1's link up: ${kill.stderr.trim()} ${left.stdout.trim()}`);
        await lab.waitForLog(n1.daemon!, /peer 198\.18\.0\.12 lost/, 5000);
        await sleep(2000);
      } finally {
        await rejectEchoPort(n2.ns, false);
      }
      await sleep(500);
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      assert.ok(samples.every((s) => s.holders === 'node2'), `holders seen: ${[...new Set(samples.map((s) => s.holders))].join(', ')}\n${lab.logs()}`);
      assert.doesNotMatch(n1.daemon!.output, /revoked: its holder is gone/);
    });

    it('one etcd member (not the leader) dies: the holder keeps the address', async () => {
      const { lab, etcd } = ctx;
      await freshPair(ctx);
      const watch = watchAllHolders(lab.nodes);
      const leader = await etcd.leader();
      const follower = leader === 1 ? 2 : 1;
      await etcd.killMember(follower);
      await sleep(LEASE_TTL_MS * 2);
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      assert.ok(samples.every((s) => s.holders === 'node2'), `holders seen: ${[...new Set(samples.map((s) => s.holders))].join(', ')}\n${lab.logs()}`);
    });

    it("etcd's leader dies: never two holders, and the holder still holds once a new leader is elected", async () => {
      const { lab, etcd } = ctx;
      await freshPair(ctx);
      const watch = watchAllHolders(lab.nodes);
      const leader = await etcd.leader();
      await etcd.killMember(leader);
      const next = await etcd.waitForLeader({ not: leader, timeoutMs: 10_000 });
      await sleep(LEASE_TTL_MS * 2);
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      const moved = samples.filter((s) => s.holders !== 'node2').length;
      console.log(`# etcd leader killed: a new leader in ${next.ms} ms; ${moved} of ${samples.length} samples without node2 holding`);
      assert.ok(settledOn(samples, 'node2') >= 0, `node2 holds at the end\n${lab.logs()}`);
    });

    it('all of etcd gone (on_quorum_loss: release): the holder releases, nobody binds, and one node holds once etcd is back', async () => {
      const { lab, etcd } = ctx;
      const [n1, n2] = await freshPair(ctx);
      const watch = watchAllHolders(lab.nodes);
      await etcd.cutAll();
      await lab.waitFor('nobody to hold the address', async () => (await n1.holdsVip()) || (await n2.holdsVip()), (h) => !h, LEASE_TTL_MS * 2);
      await sleep(2000);
      await etcd.healAll();
      await lab.waitFor('one node to hold the address', async () => [await n1.holdsVip(), await n2.holdsVip()].filter(Boolean).length, (c) => c === 1, 20_000);
      await sleep(1000);
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      assert.doesNotMatch(n2.daemon!.output, /the release guard removed/);
    });
  });

  describeQuorumLab('etcd built anew', (ctx) => {
    for (const newToken of [true, false]) {
      const how = newToken ? 'a new token (a new cluster_id)' : 'the same token on wiped data (the same cluster_id)';
      it(`every member replaced by a new cluster with ${how}, revisions from 1: never two holders, one node holds again`, async () => {
        const { lab, etcd } = ctx;
        const [n1, n2] = await freshPair(ctx);
        const watch = watchAllHolders(lab.nodes);
        const claims = (): number => claimsOf(n1) + claimsOf(n2);
        const before = claims();
        const formedIn = await etcd.rebuild(newToken);
        // a key won in the new cluster, and its winner bound: until then the old holder may hold it still
        await lab.waitFor('a node to win the key in the new cluster', async () => claims(), (c) => c > before, 20_000);
        const back = await lab.waitFor('one node to hold the address', async () => holdersNow(lab.nodes), (h) => h === 'node1' || h === 'node2', 5000);
        await sleep(1000);
        const samples = await watch.stop();
        assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
        assert.ok([n1, n2].some((n) => (newToken ? /etcd cluster \d+ was replaced by \d+/ : /its data was wiped/).test(n.daemon!.output)), lab.logs());
        const none = samples.filter((x) => x.holders === '').length;
        console.log(`# etcd built anew (${newToken ? 'new' : 'same'} token): a new cluster in ${formedIn} ms; ${back.value} held the address alone from ${settledOn(samples, back.value)} ms after the rebuild began; ${none} of ${samples.length} samples without a holder`);
      });
    }
  });

  describeQuorumLab('on_quorum_loss: keep', (ctx) => {
    it('all of etcd gone: the holder keeps the address, node1 never binds, and the holder claims its key back once etcd is back', async () => {
      const { lab, etcd } = ctx;
      const [n1, n2] = await freshPair(ctx, 'keep');
      const watch = watchAllHolders(lab.nodes);
      await etcd.cutAll();
      // long enough for the lease to end at etcd and for a release mode to have let go
      await sleep(LEASE_TTL_MS * 2);
      const claimsBefore = claimsOf(n2);
      await etcd.healAll();
      await lab.waitFor('node2 to claim its key back', async () => claimsOf(n2), (c) => c > claimsBefore, LEASE_TTL_MS * 3);
      await sleep(1000);
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      assert.ok(samples.every((s) => s.holders === 'node2'), `holders seen: ${[...new Set(samples.map((s) => s.holders))].join(', ')}\n${lab.logs()}`);
      assert.doesNotMatch(n1.daemon!.output, /-> MASTER/);
    });
  });

  describeQuorumLab('the holder daemon stops', (ctx) => {
    it('kill -9 on a live host: node1 revokes the dead lease and takes over in about a second, not a TTL', async () => {
      const { lab } = ctx;
      const [n1, n2] = await freshPair(ctx);
      const watch = watchAllHolders(lab.nodes);
      n2.daemon!.kill('SIGKILL');
      const took = await lab.waitFor('node1 to hold the address', () => n1.holdsVip(), (h) => h, LEASE_TTL_MS * 3);
      await sleep(300);
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      console.log(`# kill -9 of the holder: node1 held the address ${took.ms} ms later (lease TTL ${LEASE_TTL_MS} ms)`);
      assert.ok(took.ms < LEASE_TTL_MS, `took ${took.ms} ms\n${lab.logs()}`);
    });

    it("the holder's daemon stalls (SIGSTOP): its release guard removes the address before the lease can end; never two holders", async () => {
      const { lab } = ctx;
      const [n1, n2] = await freshPair(ctx);
      const watch = watchAllHolders(lab.nodes);
      // the daemon alone stops (a blocked event loop looks the same); its children, the guard among them, run on
      n2.daemon!.kill('SIGSTOP');
      let took: { ms: number };
      try {
        took = await lab.waitFor('node1 to hold the address', () => n1.holdsVip(), (h) => h, LEASE_TTL_MS * 3);
        await sleep(500);
      } finally {
        n2.daemon!.kill('SIGCONT');
      }
      // resumed, it hears what its guard did, finds its lease past its fence and the key held by node1: it stays
      // without the address
      await lab.waitForLog(n2.daemon!, /the release guard removed 198\.18\.0\.100\/24 on eth0:fip at its deadline/, 5000);
      await lab.waitForLog(n2.daemon!, /etcd key of 198\.18\.0\.100: held by 198\.18\.0\.11/, 5000);
      await sleep(500);
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      assert.ok(settledOn(samples, 'node1') >= 0, `holders seen: ${[...new Set(samples.map((s) => s.holders))].join(', ')}\n${lab.logs()}`);
      console.log(`# holder's daemon stalled: node1 held the address ${took.ms} ms later (lease TTL ${LEASE_TTL_MS} ms)`);
    });

    it('a graceful stop releases, gives the key back and revokes the lease: node1 binds at once', async () => {
      const { lab } = ctx;
      const [n1, n2] = await freshPair(ctx);
      const watch = watchAllHolders(lab.nodes);
      n2.daemon!.kill('SIGTERM');
      const took = await lab.waitFor('node1 to hold the address', () => n1.holdsVip(), (h) => h, LEASE_TTL_MS * 2);
      await n2.daemon!.exited;
      const samples = await watch.stop();
      assert.equal(twoHolders(samples), null, `${twoHolders(samples)}\n${lab.logs()}`);
      console.log(`# graceful stop of the holder: node1 held the address ${took.ms} ms later`);
      assert.ok(took.ms < 1500, `took ${took.ms} ms\n${lab.logs()}`);
    });
  });
});
