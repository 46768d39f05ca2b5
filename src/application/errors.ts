import { FloatipError } from '../domain/index.js';

/** The kernel accepted the command but the interface, read back, says otherwise. */
export class AddressVerificationError extends FloatipError {
  readonly code = 'FLOATIP_VERIFY_FAILED';
  constructor(
    readonly operation: 'bind' | 'release',
    readonly target: string,
  ) {
    super(
      operation === 'bind'
        ? `bound ${target} but reading the interface back does not show it`
        : `released ${target} but reading the interface back still shows it`,
    );
  }
}

/** What went wrong, for a log line: an Error's message, or whatever else was thrown, as text. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
