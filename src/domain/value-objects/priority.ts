import { InvalidValueError } from '../errors.js';

export class Priority {
  static readonly MIN = 1;
  static readonly MAX = 254;

  private constructor(readonly value: number) {}

  static create(value: unknown, field = 'priority'): Priority {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < Priority.MIN || value > Priority.MAX) {
      throw new InvalidValueError(field, value, `must be an integer from ${Priority.MIN} to ${Priority.MAX}`);
    }
    return new Priority(value);
  }

  toJSON(): number {
    return this.value;
  }
}
