// The benchmark's command-line options: which implementations and scenarios, how many runs, cost and soak.
import { SCENARIOS, type Scenario } from './scenarios.js';

export interface Options {
  reps: number;
  nodes: number;
  soakMinutes: number;
  only: string | null;
  scenarios: Scenario[];
  cost: boolean;
  /** measure a JIT-compiled daemon again, minutes later */
  steadyCost: boolean;
  costNodes: number[];
  /** idle cost of one node pair with 1 and with 10 addresses (the list form) */
  addressCost: boolean;
  /** start-up times, this many spawns of each command (0: not measured) */
  startupReps: number;
  /** the randomized three-node fault run at the ~360 ms budget, this long for each implementation (0: not run) */
  chaosSeconds: number;
  out: string;
}

export function parseOptions(argv: string[]): Options {
  const o: Options = { reps: 5, nodes: 2, soakMinutes: 10, only: null, scenarios: [...SCENARIOS], cost: true, steadyCost: true, costNodes: [2, 4, 8], addressCost: true, startupReps: 10, chaosSeconds: 300, out: 'docs' };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--reps': o.reps = Number(v); i++; break;
      case '--nodes': o.nodes = Number(v); i++; break;
      case '--soak-minutes': o.soakMinutes = Number(v); i++; break;
      case '--only': o.only = v ?? null; i++; break;
      case '--scenarios': o.scenarios = (v ?? '').split(',') as Scenario[]; i++; break;
      case '--no-cost': o.cost = false; o.addressCost = false; break;
      // after --no-cost: the address cost alone
      case '--address-cost': o.addressCost = true; break;
      case '--no-steady-cost': o.steadyCost = false; break;
      case '--cost-nodes': o.costNodes = (v ?? '').split(',').map(Number); i++; break;
      case '--startup-reps': o.startupReps = Number(v); i++; break;
      case '--chaos-seconds': o.chaosSeconds = Number(v); i++; break;
      case '--out': o.out = v ?? 'docs'; i++; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (o.costNodes.length === 0 || o.costNodes.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new Error(`--cost-nodes takes node counts of at least 2, separated by commas (got ${o.costNodes.join(',')})`);
  }
  return o;
}
