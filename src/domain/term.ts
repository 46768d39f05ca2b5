/**
 * Terms count takeovers. They live in 32 bits and compare as serial numbers (RFC 1982): a term is newer than
 * another when it is ahead by less than half the space. So no term a peer sends, however large, can push this
 * node's own term out of the range its peers accept, and counting wraps instead of running out.
 */
export const TERM_SPACE = 2 ** 32;
const HALF = 2 ** 31;

export function isTerm(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < TERM_SPACE;
}

/** The term after `t`, wrapping past the top; 0 stays "no takeover yet". */
export function nextTerm(t: number): number {
  return t + 1 >= TERM_SPACE ? 1 : t + 1;
}

/** True when `a` is newer than `b`; two terms half the space apart are neither, and rank decides between them. */
export function isNewerTerm(a: number, b: number): boolean {
  const d = (a - b + TERM_SPACE) % TERM_SPACE;
  return d !== 0 && d < HALF;
}

/** The newest of the terms given. */
export function latestTerm(first: number, ...rest: readonly number[]): number {
  return rest.reduce((top, t) => (isNewerTerm(t, top) ? t : top), first);
}
