import { ReleaseAddress, errorText, unitsOf, type ReleaseGuardPort } from '../../application/index.js';
import { createPlatformAdapters, preflight, type WinstonLogger, type YamlConfigLoader } from '../../infrastructure/index.js';

// The guard belongs to the daemon that armed it; this one-shot command has none to disarm.
const NO_GUARD: ReleaseGuardPort = { arm: async () => undefined, disarm: async () => undefined, deadline: () => undefined, onFired: () => () => undefined };

/**
 * `floatip release`: removes this node's addresses where they are bound (after the daemon is gone: ExecStopPost=),
 * every one of the list form. Idempotent: "removed" and "was not there" both succeed. Every address is tried, even
 * after one fails; the first failure is thrown at the end. A disabled section is still resolved, so a leftover
 * address from before it was disabled goes too.
 */
export async function releaseCommand(file: string, loader: YamlConfigLoader, logger: WinstonLogger): Promise<string> {
  const loaded = loader.load(file, { resolveDisabled: true });
  if (loaded.kind === 'disabled') return `${file}: ${loaded.reason} and names no address; nothing to release`;
  const addresses = unitsOf(loaded.settings).flatMap((u) => u.addresses);
  const adapters = createPlatformAdapters(preflight({ addressTool: loaded.addressTool }), logger);
  const release = new ReleaseAddress(adapters.addressTable, NO_GUARD, adapters.announcer);
  const said: string[] = [];
  let failure: unknown = null;
  for (const address of addresses) {
    try {
      const outcome = await release.execute({ address });
      said.push(outcome.kind === 'released' ? `released ${address.toString()}` : `${address.toString()}: not bound on this host; nothing to release`);
    } catch (err) {
      // the single form's one failure is the command's error, said once by the caller
      if (addresses.length > 1) logger.error(`could not release ${address.toString()}: ${errorText(err)}`);
      failure ??= err;
    }
  }
  if (failure === null) return said.join('\n');
  for (const line of said) logger.info(line);
  throw failure;
}
