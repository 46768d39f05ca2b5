// Issue 11, namespace tier: a host on the segment that claims to be the master, or a better backup, must not keep
// the address dark once the real master is gone (unsigned heartbeats, the default).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CLIENT_IP, LAB_ADDRESS_TOOL, VIP } from '../../scripts/lab/netns-lab.js';
import { describeLab, describeLabs } from '../support/describe-lab.js';
import { forge, GROUP_TARGET, settledPair, sleep } from '../support/lab-watch.js';

const TIMERS = { timeoutMs: 1000, intervalMs: 200 };

describeLabs(`forged claims do not keep the address dark (address tool: ${LAB_ADDRESS_TOOL})`, () => {
  const claims = [
    // a master in a later term that outranks everyone: backups that believed it would wait for it forever
    { name: 'a forged master', state: 'MASTER', logged: /198\.18\.0\.2 says it is master, but [^\n]*: not following it/, withinMs: 5000 },
    // a better backup: the others would wait for it to take over; it is passed over two timeouts after its turn
    { name: 'a forged better backup', state: 'BACKUP', logged: /198\.18\.0\.2 outranks this node but has not taken the address over: passing it over/, withinMs: 7000 },
  ];
  for (const claim of claims) {
    describeLab(claim.name, { nodes: 2 }, ({ lab }) => {
      it('the backup still takes over when the master\'s host crashes', async () => {
        const [n1, n2] = await settledPair(lab, TIMERS);
        // from the client's own address, to the group, every 100 ms for the whole test
        const fields = { id: CLIENT_IP, vip: VIP, pri: 254, st: claim.state, term: 1000, pre: false, seq: 1 };
        const attack = forge(lab, GROUP_TARGET, CLIENT_IP, 120, 100, fields);
        await sleep(2000);
        assert.deepEqual(await lab.holders(), ['node2'], 'the claim alone moves nothing');
        await n2.unplug();
        n2.daemon!.kill('SIGKILL');
        const took = await lab.waitFor('node1 to take over', async () => (await lab.holders()).filter((h) => h !== 'node2'), (h) => h.join() === 'node1', claim.withinMs);
        await lab.waitForLog(n1.daemon!, claim.logged, 1000);
        console.log(`# ${claim.name}: node1 took over ${took.ms} ms after the master's host crashed (timeout ${TIMERS.timeoutMs} ms)`);
        await attack;
      });
    });
  }
});
