import type { FloatingAddress } from '../../domain/index.js';

/** The host's own interface addresses. */
export interface AddressTablePort {
  /** Binding an address already bound here succeeds and leaves it as it is. */
  bind(address: FloatingAddress): Promise<void>;
  unbind(address: FloatingAddress): Promise<void>;
  /** Reads the interface back: true when the address is configured on it right now. */
  holds(address: FloatingAddress): Promise<boolean>;
}
export const ADDRESS_TABLE_PORT = Symbol.for('floatip.AddressTablePort');
