/**
 * A bounded FIFO of callers waiting for a slot (bulkhead) or a token (rate limiter).
 *
 * Invariants:
 * - waiters are woken strictly in arrival order.
 * - the queue never holds more than `maxQueue` waiters; one more is rejected at once with
 *   `QueueFullError`.
 * - a waiter whose signal aborts leaves the queue at once and rejects with the signal's reason;
 *   a woken waiter is no longer affected by its signal.
 */
import { QueueFullError } from '../errors.js';
import { abortReason } from './clock.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** A bounded FIFO of waiters. Internal to the limiters. */
export class WaitQueue {
  readonly #waiters: Waiter[] = [];

  /**
   * @param name the limiter's name, for `QueueFullError`.
   * @param onLeave called after an aborted waiter left the queue.
   */
  constructor(
    private readonly name: string,
    private readonly maxQueue: number,
    private readonly onLeave: () => void = () => undefined,
  ) {}

  /** How many callers are waiting. */
  get size(): number {
    return this.#waiters.length;
  }

  /**
   * Waits to be woken by {@link WaitQueue.wake}.
   * @throws QueueFullError when `maxQueue` callers already wait.
   * @throws the signal's reason when `signal` is or becomes aborted while waiting.
   */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#waiters.length >= this.maxQueue) {
      return Promise.reject(new QueueFullError(this.name, this.maxQueue));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.#waiters.indexOf(waiter);
          if (i < 0) return;
          this.#waiters.splice(i, 1);
          reject(abortReason(signal as AbortSignal));
          this.onLeave();
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
    });
  }

  /** Wakes the longest-waiting caller. Returns false when nobody waits. */
  wake(): boolean {
    const w = this.#waiters.shift();
    if (!w) return false;
    w.signal?.removeEventListener('abort', w.onAbort);
    w.resolve();
    return true;
  }
}
