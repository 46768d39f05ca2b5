import { PortBusyError, PreconditionError } from '../errors.js';

/** Why a listening socket could not bind, in the operator's terms. */
export function listenError(err: NodeJS.ErrnoException, what: string, protocol: 'tcp' | 'udp', port: number): Error {
  if (err.code === 'EADDRINUSE') return new PortBusyError(what, protocol, port);
  if (err.code === 'EADDRNOTAVAIL') return new PreconditionError(`${what}: local_ip is not an address of this host`);
  if (err.code === 'EACCES') return new PreconditionError(`${what}: permission denied`);
  return new PreconditionError(`${what}: ${err.message}`);
}
