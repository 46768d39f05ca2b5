import { FloatipError } from '../domain/index.js';

export class CommandFailedError extends FloatipError {
  readonly code = 'FLOATIP_COMMAND_FAILED';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`${command} failed${exitCode === null ? '' : ` with exit code ${exitCode}`}${output ? `: ${output}` : ''}`);
  }
}

/** Start-up preconditions (privileges, tools): the daemon refuses to start and exits 2. */
export class PreconditionError extends FloatipError {
  readonly code = 'FLOATIP_PRECONDITION';
}

/** A configuration value is wrong: exit 2 and touch nothing. */
export class ConfigError extends FloatipError {
  readonly code = 'FLOATIP_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * A port floatip needs is held by another process. Not a configuration error: the holder may go away, so the
 * CLI exits 3 and the unit restarts it.
 */
export class PortBusyError extends FloatipError {
  readonly code = 'FLOATIP_PORT_BUSY';
  constructor(
    readonly what: string,
    readonly protocol: 'tcp' | 'udp',
    readonly port: number,
  ) {
    super(`${what} is already in use`);
  }
}

/** What an announcement needs to know about an interface (its MAC, whether it forwards) could not be had. */
export class LinkFactError extends FloatipError {
  readonly code = 'FLOATIP_LINK_FACT';
  constructor(
    readonly interfaceName: string,
    problem: string,
  ) {
    super(`interface ${interfaceName} ${problem}`);
  }
}
