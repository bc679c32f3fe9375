/**
 * Sortable, unique ids: a millisecond timestamp and a per-generator counter (monotonic within
 * the generator, even when the clock stands still), then random bits (unique across processes).
 */
import { randomBytes } from 'node:crypto';

/** Creates an id generator; `now` is the clock to read. */
export function createIdGenerator(now: () => number = Date.now): () => string {
  let lastMs = 0;
  let counter = 0;
  return () => {
    const ms = Math.max(now(), lastMs);
    counter = ms === lastMs ? counter + 1 : 0;
    lastMs = ms;
    return `${ms.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${randomBytes(5).toString('hex')}`;
  };
}
