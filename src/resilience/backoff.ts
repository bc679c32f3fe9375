/**
 * Exponential backoff between attempts.
 *
 * Invariants:
 * - the delay before retry n (n >= 1) is `min(maxMs, initialMs * factor^(n-1))`, then jittered.
 * - jitter `j` only shortens a delay: the result lies in `[base * (1 - j), base]`, so it never
 *   exceeds `maxMs`; `j = 1` is "full jitter" (uniform in `[0, base]`), `j = 0` is deterministic.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ResolvedPolicy } from './policy.js';

/** The backoff part of a resolved policy. */
export type ResolvedBackoff = ResolvedPolicy['retry']['backoff'];

/**
 * The delay in milliseconds to wait after failed attempt `attempt` before the next one.
 * @param random a source of numbers in [0, 1); injectable so tests are deterministic.
 * @throws InvalidArgumentError when `attempt` is not a positive integer.
 */
export function backoffDelay(
  attempt: number,
  backoff: ResolvedBackoff,
  random: () => number = Math.random,
): number {
  if (!(Number.isInteger(attempt) && attempt >= 1)) {
    throw new InvalidArgumentError(
      `backoff attempt must be a positive integer, got ${attempt}`,
      'attempt',
    );
  }
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (attempt - 1));
  if (backoff.jitter === 0) return base;
  // Clamp a misbehaving random source rather than produce a negative or oversized delay.
  const r = Math.min(1, Math.max(0, random()));
  return base * (1 - backoff.jitter * r);
}
