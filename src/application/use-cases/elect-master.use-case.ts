import { inject, injectable } from 'inversify';
import type { ElectionDecision, ElectionView } from '../../domain/index.js';
import { ELECTION_STRATEGY_PORT, type ElectionStrategyPort } from '../ports/election-strategy.port.js';

export type { ElectionDecision, ElectionView } from '../../domain/index.js';

/**
 * Decides, from what this node has heard, what it should do now: the address machine's decision function. How the
 * holder is chosen is the strategy's (ELECTION_STRATEGY_PORT); this use case is where an embedder asks it.
 */
@injectable()
export class ElectMaster {
  constructor(@inject(ELECTION_STRATEGY_PORT) private readonly strategy: ElectionStrategyPort) {}

  execute(view: ElectionView): ElectionDecision {
    return this.strategy.decide(view);
  }
}
