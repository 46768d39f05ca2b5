import type { AddressTablePort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';

/** An address table that can say, as a fixed argument list, how to remove the address without it. */
export interface ReleasableAddressTable extends AddressTablePort {
  releaseCommand(address: FloatingAddress): { file: string; args: string[] };
}
