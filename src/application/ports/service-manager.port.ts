/**
 * The service manager that started this process (systemd's notify protocol under `Type=notify`), or none.
 * Every call is fire-and-forget: a manager that is slow or gone never holds up the failover rules.
 */
export interface ServiceManagerPort {
  /** Start-up is over (the node joined, was elected, or is faulty and waiting): the unit is active. */
  ready(status: string): void;
  /** The one-line status `systemctl status` shows. */
  status(status: string): void;
  /** The node is shutting down (a master hands the address over first). */
  stopping(status: string): void;
}
export const SERVICE_MANAGER_PORT = Symbol.for('floatip.ServiceManagerPort');
