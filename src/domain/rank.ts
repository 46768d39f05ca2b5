import type { Ipv4Address } from './value-objects/ipv4-address.js';

export interface Ranked {
  readonly id: Ipv4Address;
  readonly priority: number;
}

/** Positive when a outranks b: higher priority wins, ties go to the higher address. */
export function compareRank(a: Ranked, b: Ranked): number {
  return a.priority !== b.priority ? a.priority - b.priority : a.id.compare(b.id);
}

export function best<T extends Ranked>(nodes: readonly T[]): T | undefined {
  return nodes.reduce<T | undefined>((top, n) => (top === undefined || compareRank(n, top) > 0 ? n : top), undefined);
}
