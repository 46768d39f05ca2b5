import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Node has no datagram Unix sockets: a few lines of python3 play systemd's end of NOTIFY_SOCKET.
const RECEIVER = `import array, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
print(json.dumps('listening'), flush=True)
while True:
    data, anc, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, cdata in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array('i'); fds.frombytes(cdata[: len(cdata) - len(cdata) % fds.itemsize])
            for fd in fds: os.close(fd)  # closing the barrier's pipe is how systemd says it has read the message
    print(json.dumps(data.decode('utf-8', 'replace')), flush=True)
`;

/** A stand-in for systemd's notify socket: every datagram received, with the time it came. */
export class NotifyListener {
  readonly messages: { at: number; text: string }[] = [];
  private constructor(
    readonly path: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(dir: string): Promise<NotifyListener> {
    const script = join(dir, 'notify-receiver.py');
    writeFileSync(script, RECEIVER);
    const path = join(dir, 'notify.sock');
    const child = spawn('python3', [script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const listener = new NotifyListener(path, child);
    let buffered = '';
    let listening: () => void = () => {};
    const ready = new Promise<void>((resolve) => (listening = resolve));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const text = JSON.parse(buffered.slice(0, nl)) as string;
        buffered = buffered.slice(nl + 1);
        if (text === 'listening') listening();
        else if (text !== 'BARRIER=1') listener.messages.push({ at: Date.now(), text });
      }
    });
    await Promise.race([ready, new Promise((_, reject) => setTimeout(() => reject(new Error('notify receiver did not start')), 5000))]);
    return listener;
  }

  texts(): string[] {
    return this.messages.map((m) => m.text);
  }

  async waitFor(pattern: RegExp, ms: number): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.messages.find((m) => pattern.test(m.text));
      if (hit) return hit.text;
      if (Date.now() > end) throw new Error(`no notify message matching ${pattern} in ${ms} ms; got: ${JSON.stringify(this.texts())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
