import { NetnsLab, removeStaleLabs } from '../lab/netns-lab.js';
await removeStaleLabs();
const lab = await NetnsLab.create(2);
try {
  for (const n of lab.nodes) await n.startService();
  const probe = lab.startProbe();
  const [n1, n2] = lab.nodes as any;
  n2.start({}, 'debug');
  await lab.waitForHolders(['node2'], 8000);
  n1.start({}, 'debug');
  await lab.waitForLog(n1.daemon, /INIT -> BACKUP/, 8000);
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = probe.now;
  console.log('kill at', new Date().toISOString());
  n2.daemon.kill('SIGKILL');
  await lab.waitForHolders(['node1'], 8000);
  await new Promise((r) => setTimeout(r, 1000));
  console.log('outage', probe.longestGap(t0));
  console.log(n1.daemon.output.split('\n').slice(-25).join('\n'));
} finally { await lab.destroy(); }
