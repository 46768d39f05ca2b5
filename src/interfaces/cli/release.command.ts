import { ReleaseAddress, type ReleaseGuardPort } from '../../application/index.js';
import { createPlatformAdapters, preflight, type WinstonLogger, type YamlConfigLoader } from '../../infrastructure/index.js';

// The guard belongs to the daemon that armed it; this one-shot command has none to disarm.
const NO_GUARD: ReleaseGuardPort = { arm: async () => undefined, disarm: async () => undefined };

/**
 * `floatip release`: removes this node's alias if it is bound (after the daemon is gone: ExecStopPost=).
 * Idempotent: "removed" and "was not there" both succeed. A disabled section is still resolved, so a
 * leftover alias from before it was disabled goes too.
 */
export async function releaseCommand(file: string, loader: YamlConfigLoader, logger: WinstonLogger): Promise<string> {
  const loaded = loader.load(file, { resolveDisabled: true });
  if (loaded.kind === 'disabled') return `${file}: ${loaded.reason} and names no address; nothing to release`;
  const address = loaded.settings.address;
  const adapters = createPlatformAdapters(preflight({ addressTool: loaded.addressTool }), logger);
  const outcome = await new ReleaseAddress(adapters.addressTable, NO_GUARD, adapters.announcer).execute({ address });
  return outcome.kind === 'released' ? `released ${address.toString()}` : `${address.toString()}: not bound on this host; nothing to release`;
}
