/**
 * A bulkhead: at most `concurrency` calls of one agent run at once across every run of a
 * runtime; the rest wait in a bounded FIFO.
 *
 * Invariants:
 * - `active` never exceeds `concurrency`.
 * - a freed slot passes directly to the longest waiter (no barging: a newcomer never overtakes
 *   a queued caller).
 * - releasing a slot twice frees it once.
 */
import { InvalidArgumentError } from '../errors.js';
import { abortReason } from './clock.js';
import { WaitQueue } from './wait-queue.js';

/** Gives back a bulkhead slot. Idempotent. */
export type Release = () => void;

/** Options of {@link createBulkhead}. */
export interface BulkheadOptions {
  readonly name: string;
  /** Maximum concurrent calls (a positive integer). */
  readonly concurrency: number;
  /** Maximum waiting callers (an integer >= 0); one more is rejected with `QueueFullError`. */
  readonly maxQueue: number;
}

/** A concurrency limiter. */
export interface Bulkhead {
  readonly name: string;
  /**
   * Waits for a slot.
   * @throws QueueFullError when the queue is full; the signal's reason when it aborts first.
   */
  acquire(signal?: AbortSignal): Promise<Release>;
  /** Runs `fn` in a slot and frees the slot when it settles. */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Calls holding a slot. */
  readonly active: number;
  /** Callers waiting for a slot. */
  readonly queued: number;
}

/**
 * Creates a bulkhead.
 * @throws InvalidArgumentError when `concurrency` or `maxQueue` is out of range.
 */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  const { name, concurrency, maxQueue } = options;
  if (!((Number.isInteger(concurrency) && concurrency > 0) || concurrency === Infinity)) {
    throw new InvalidArgumentError(
      `bulkhead '${name}': concurrency must be a positive integer, got ${concurrency}`,
      'concurrency',
    );
  }
  if (!(Number.isInteger(maxQueue) && maxQueue >= 0)) {
    throw new InvalidArgumentError(
      `bulkhead '${name}': maxQueue must be an integer >= 0, got ${maxQueue}`,
      'maxQueue',
    );
  }
  const queue = new WaitQueue(name, maxQueue);
  let active = 0;

  const makeRelease = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter; `active` is unchanged.
      if (!queue.wake()) active--;
    };
  };

  const acquire = async (signal?: AbortSignal): Promise<Release> => {
    if (signal?.aborted) throw abortReason(signal);
    if (active < concurrency && queue.size === 0) {
      active++;
      return makeRelease();
    }
    await queue.wait(signal);
    return makeRelease();
  };

  return {
    name,
    acquire,
    async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      const release = await acquire(signal);
      try {
        return await fn();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get queued() {
      return queue.size;
    },
  };
}
