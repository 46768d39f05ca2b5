/** Faults carry a stable `code` so callers and operators can match on them without parsing text. */
export abstract class FloatipError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidValueError extends FloatipError {
  readonly code = 'FLOATIP_INVALID_VALUE';
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${field}: ${JSON.stringify(value)} is not allowed: ${allowed}`);
  }
}
