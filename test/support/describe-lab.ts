import { after, before, describe } from 'node:test';
import { NetnsLab, removeStaleLabs, type ClientProbe } from '../../scripts/lab/netns-lab.js';
import { integrationSkipReason } from './integration-gate.js';

export interface LabPlan {
  readonly nodes: number;
  /** Start each node's small TCP service (what the client probe connects to through the floating IP). */
  readonly services?: boolean;
  /** Start the client probe, connecting to the floating IP every 10 ms. */
  readonly probe?: boolean;
}

export interface LabContext {
  readonly lab: NetnsLab;
  readonly probe: ClientProbe;
}

/**
 * Stands for an object that exists only once `before` has run: the suite's tests name it as a plain variable,
 * and a use outside a test (while the suite is being defined) fails with what was missing.
 */
function later<T extends object>(what: string, get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const real = get();
      if (!real) throw new Error(`${what} is not there: use it inside a test, after the suite's set-up`);
      const value = Reflect.get(real, key, real) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(real) : value;
    },
  });
}

/**
 * A suite of namespace tests around one lab of `plan.nodes` gateway nodes (and a client), made before its first
 * test and removed after its last, whether the tests passed or not.
 */
export function describeLab(name: string, plan: LabPlan, body: (ctx: LabContext) => void): void {
  describe(name, () => {
    let lab: NetnsLab | undefined;
    let probe: ClientProbe | undefined;
    before(async () => {
      lab = await NetnsLab.create(plan.nodes);
      if (plan.services) for (const n of lab.nodes) await n.startService();
      if (plan.probe) probe = lab.startProbe();
    });
    after(async () => lab?.destroy());
    body({ lab: later('the lab', () => lab), probe: later('the client probe (plan.probe)', () => probe) });
  });
}

/**
 * A file's namespace tests: skipped (with the reason) on a machine without root or the tools, never where CI=true,
 * and started from a machine without labs that an earlier run left behind.
 */
export function describeLabs(name: string, body: () => void): void {
  describe(name, { skip: integrationSkipReason() }, () => {
    before(removeStaleLabs);
    body();
  });
}
