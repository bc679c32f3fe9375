/**
 * Sortable, unique ids: a millisecond timestamp and a per-generator counter (monotonic within
 * the generator, even when the clock stands still), then random bits (unique across processes).
 */
import { randomBytes } from 'node:crypto';

/** Creates an id generator; `now` is the clock to read. */
export function createIdGenerator(now: () => number = Date.now): () => string {
  let lastMs = 0;
  let counter = 0;
  // Random bytes drawn in blocks: one system call per 512 ids instead of one per id.
  let pool = randomBytes(5 * 512);
  let offset = 0;
  return () => {
    const ms = Math.max(now(), lastMs);
    counter = ms === lastMs ? counter + 1 : 0;
    lastMs = ms;
    if (offset + 5 > pool.length) {
      pool = randomBytes(5 * 512);
      offset = 0;
    }
    const random = pool.toString('hex', offset, offset + 5);
    offset += 5;
    return `${ms.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${random}`;
  };
}
