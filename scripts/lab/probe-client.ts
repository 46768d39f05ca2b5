// Connects to the floating IP every INTERVAL ms, each attempt with a TIMEOUT ms deadline, and prints one JSON line
// per attempt: {"t": ms since start, "who": name of the host that answered, or null}.
import { connect } from 'node:net';

const [host = '198.18.0.100', portText = '8080', intervalText = '10', timeoutText = '50', durationText = '60000'] = process.argv.slice(2);
const port = Number(portText);
const interval = Number(intervalText);
const timeout = Number(timeoutText);
const start = performance.now();
const end = start + Number(durationText);

function attempt(): Promise<string | null> {
  return new Promise((resolve) => {
    let data = '';
    let done = false;
    const finish = (who: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(who);
    };
    const socket = connect({ host, port });
    const timer = setTimeout(() => finish(null), timeout);
    socket.on('data', (d) => (data += d.toString()));
    socket.on('end', () => finish(data.trim() || null));
    socket.on('error', () => finish(null));
  });
}

// Attempts start every INTERVAL ms whether or not the last one has ended (a connect to a vanished host waits out its
// TIMEOUT): an outage is then measured to the interval, not to the timeout. Lines still come out in start order.
async function loop(): Promise<void> {
  let printed: Promise<void> = Promise.resolve();
  while (performance.now() < end) {
    const t = performance.now();
    const result = attempt();
    printed = printed.then(async () => {
      const who = await result;
      process.stdout.write(`${JSON.stringify({ t: Math.round(t - start), who })}\n`);
    });
    const wait = interval - (performance.now() - t);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await printed;
}
process.on('SIGTERM', () => process.exit(0));
void loop();
