import { InvalidValueError } from '../errors.js';

/**
 * A node's rank in elections: higher wins. 0 is unranked (INFINI's "priority <= 0"): it loses to every ranked node,
 * and unranked nodes are ordered by address like any tie, so the outcome is deterministic.
 * Values above 254 keep their order (INFINI draws random priorities up to 1000).
 */
export class Priority {
  static readonly UNRANKED = 0;
  static readonly MIN = 1;
  static readonly MAX = 65535;

  private constructor(readonly value: number) {}

  static create(value: unknown, field = 'priority'): Priority {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < Priority.UNRANKED || value > Priority.MAX) {
      throw new InvalidValueError(field, value, `must be an integer from ${Priority.UNRANKED} (unranked) to ${Priority.MAX}`);
    }
    return new Priority(value);
  }

  static unranked(): Priority {
    return new Priority(Priority.UNRANKED);
  }

  get isUnranked(): boolean {
    return this.value === Priority.UNRANKED;
  }

  /** Less the weights of failing checks; a ranked node never drops to unranked, an unranked one stays there. */
  lessPenalty(penalty: number): Priority {
    if (this.isUnranked || penalty <= 0) return this;
    return new Priority(Math.max(Priority.MIN, this.value - penalty));
  }

  toJSON(): number {
    return this.value;
  }
}
