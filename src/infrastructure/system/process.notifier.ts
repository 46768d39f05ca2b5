import { execFile } from 'node:child_process';
import type { LoggerPort, NotifierPort, NotifyEvent, NotifyHooks } from '../../application/index.js';
import { C_LOCALE_ENV } from './command-runner.js';

/**
 * Runs hooks as programs with fixed arguments (never a shell): the hook's own arguments, then state,
 * address, interface and reason. A hook that outlives its timeout is killed; none is ever waited for.
 */
export class ProcessNotifier implements NotifierPort {
  constructor(private readonly logger: LoggerPort) {}

  notify(event: NotifyEvent, hooks: NotifyHooks): void {
    const own = event.state === 'MASTER' ? hooks.onMaster : event.state === 'BACKUP' ? hooks.onBackup : event.state === 'FAULT' ? hooks.onFault : event.state === 'STOPPED' ? hooks.onStop : undefined;
    for (const argv of [own, hooks.command]) if (argv && argv.length > 0) this.spawn(argv, event, hooks.timeoutMs);
  }

  private spawn(argv: readonly string[], event: NotifyEvent, timeoutMs: number): void {
    const [file, ...args] = argv;
    const all = [...args, event.state, event.address, event.interfaceName, event.reason];
    const started = Date.now();
    try {
      execFile(file!, all, { env: C_LOCALE_ENV, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim().slice(0, 500).replace(/\n/g, ' | ');
        const took = Date.now() - started;
        if (err && (err as { killed?: boolean }).killed) this.logger.warn(`hook ${file} for ${event.state} killed after ${timeoutMs} ms${output ? `: ${output}` : ''}`);
        else if (err) this.logger.warn(`hook ${file} for ${event.state} failed (${err.code ?? err.message}) after ${took} ms${output ? `: ${output}` : ''}`);
        else this.logger.info(`hook ${file} for ${event.state} done in ${took} ms${output ? `: ${output}` : ''}`);
      });
    } catch (err) {
      this.logger.warn(`hook ${file} for ${event.state} could not start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
