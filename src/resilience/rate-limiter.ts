/**
 * A token bucket: calls of one agent across every run of a runtime are limited to
 * `ratePerSecond` on average, with bursts of up to `burst` calls; callers without a token wait
 * in a bounded FIFO.
 *
 * Invariants:
 * - tokens refill continuously at `ratePerSecond` up to `burst`; the bucket starts full.
 * - a token is never taken ahead of a queued caller (FIFO, no barging).
 * - at most one refill timer is pending, and none while nobody waits, so an idle limiter never
 *   keeps the process alive.
 */
import { InvalidArgumentError } from '../errors.js';
import { abortReason, type Clock, startTimer, systemClock } from './clock.js';
import { WaitQueue } from './wait-queue.js';

/** Floating-point slack when comparing token counts (refills are fractional). */
const EPSILON = 1e-9;

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  readonly name: string;
  /** Average calls per second (a finite positive number). */
  readonly ratePerSecond: number;
  /** Maximum waiting callers (an integer >= 0); one more is rejected with `QueueFullError`. */
  readonly maxQueue: number;
  /** Bucket capacity (default `max(1, ratePerSecond)`: one second's worth, at least one call). */
  readonly burst?: number;
  readonly clock?: Clock;
}

/** A token-bucket rate limiter. */
export interface RateLimiter {
  readonly name: string;
  /**
   * Takes one token, waiting for it if needed.
   * @throws QueueFullError when the queue is full; the signal's reason when it aborts first.
   */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Tokens available now (fractional). */
  available(): number;
  /** Callers waiting for a token. */
  readonly queued: number;
}

/**
 * Creates a token-bucket rate limiter.
 * @throws InvalidArgumentError when an option is out of range.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { name, ratePerSecond: rate, maxQueue } = options;
  const burst = options.burst ?? Math.max(1, rate);
  const clock = options.clock ?? systemClock;
  const bad = (field: string, value: number, want: string): never => {
    throw new InvalidArgumentError(
      `rate limiter '${name}': ${field} must be ${want}, got ${value}`,
      field,
    );
  };
  if (!(Number.isFinite(rate) && rate > 0)) bad('ratePerSecond', rate, 'a finite number > 0');
  if (!(Number.isInteger(maxQueue) && maxQueue >= 0)) bad('maxQueue', maxQueue, 'an integer >= 0');
  if (!(Number.isFinite(burst) && burst >= 1)) bad('burst', burst, 'a finite number >= 1');

  let tokens = burst;
  let last = clock.now();
  let cancel: (() => void) | undefined;

  const refill = (): void => {
    const now = clock.now();
    // A wall clock may step backwards; never refill negatively.
    tokens = Math.min(burst, tokens + (Math.max(0, now - last) * rate) / 1000);
    last = now;
  };

  const cancelTimer = (): void => {
    cancel?.();
    cancel = undefined;
  };

  const queue = new WaitQueue(name, maxQueue, () => {
    if (queue.size === 0) cancelTimer();
  });

  const pump = (): void => {
    refill();
    while (queue.size > 0 && tokens >= 1 - EPSILON) {
      tokens -= 1;
      queue.wake();
    }
    if (queue.size > 0) schedule();
  };

  const schedule = (): void => {
    if (cancel || queue.size === 0) return;
    const ms = Math.ceil(((1 - tokens) * 1000) / rate);
    cancel = startTimer(clock, ms, () => {
      cancel = undefined;
      pump();
    });
  };

  return {
    name,
    acquire(signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      refill();
      if (queue.size === 0 && tokens >= 1 - EPSILON) {
        tokens -= 1;
        return Promise.resolve();
      }
      const waiting = queue.wait(signal);
      schedule();
      return waiting;
    },
    available(): number {
      refill();
      return tokens;
    },
    get queued() {
      return queue.size;
    },
  };
}
