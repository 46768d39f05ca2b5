import { spawn, type ChildProcess } from 'node:child_process';
import { C_LOCALE_ENV, holdProcess as hold, runCommand, type CommandLine, type CommandResult, type RunCommand } from './command-runner.js';

/** A used command is started again this long after, off the path of whatever needed it. */
export const PREPARE_AGAIN_MS = 1000;

// `read` fails at end of input: a shell whose daemon died runs nothing.
const HOLD_SCRIPT = 'read -r _ || exit 0; exec "$0" "$@"';

/**
 * Commands started ahead of time and held at a shell's `read` until they are needed. A Node.js process start forks
 * the whole daemon, 3 to 5 ms on a small host, and a takeover needs two in a row (the bind, then the gratuitous
 * ARP) before clients can follow. A held command starts with one newline. Arguments go to the program as they are,
 * never through the shell's parsing. Any other command, or one whose shell is gone, runs the usual way.
 */
export class PreparedCommands {
  private readonly held = new Map<string, ChildProcess>();
  private readonly wanted = new Map<string, CommandLine>();
  private stopped = false;

  constructor(
    private readonly shell: string,
    private readonly fallback: RunCommand = runCommand,
  ) {}

  /** Keeps this command ready from now on: started again after each use. */
  prepare(command: CommandLine): void {
    const key = keyOf(command.file, command.args);
    this.wanted.set(key, command);
    this.start(key);
  }

  readonly run: RunCommand = (file, args, timeoutMs) => {
    const key = keyOf(file, args);
    const child = this.held.get(key);
    if (!child || child.exitCode !== null || child.signalCode !== null || !child.stdin?.writable) return this.fallback(file, args, timeoutMs);
    this.held.delete(key);
    const again = setTimeout(() => this.start(key), PREPARE_AGAIN_MS);
    again.unref();
    return release(child, timeoutMs);
  };

  /** Ends every held shell; each exits at end of input without running its command. */
  stop(): void {
    this.stopped = true;
    for (const child of this.held.values()) child.stdin?.destroy();
    this.held.clear();
  }

  private start(key: string): void {
    const want = this.wanted.get(key);
    if (!want || this.stopped || this.held.has(key)) return;
    let child: ChildProcess;
    try {
      child = spawn(this.shell, ['-c', HOLD_SCRIPT, want.file, ...want.args], { stdio: ['pipe', 'pipe', 'pipe'], env: C_LOCALE_ENV });
    } catch {
      return; // the usual way, then
    }
    child.on('error', () => this.forget(key, child));
    child.on('exit', () => this.forget(key, child));
    child.stdin!.on('error', () => undefined);
    // a held shell must not keep an embedding process alive
    hold(child, false);
    this.held.set(key, child);
  }

  private forget(key: string, child: ChildProcess): void {
    if (this.held.get(key) === child) this.held.delete(key);
  }
}

function release(child: ChildProcess, timeoutMs: number): Promise<CommandResult> {
  hold(child, true);
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const deadline = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('close', (code: number | null) => {
      clearTimeout(deadline);
      resolve({ code: timedOut ? null : code, stdout, stderr, timedOut });
    });
    child.stdin!.end('\n');
  });
}

function keyOf(file: string, args: readonly string[]): string {
  return [file, ...args].join('\0');
}
