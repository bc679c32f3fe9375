/**
 * A clock that only moves when a test says so. `sleep` registers a sleeper; `advance(ms)` moves
 * time forward and wakes due sleepers one at a time, in time order, letting each continuation
 * run (and register new sleepers) before the next one wakes. Tests therefore never really wait,
 * and never assert on real elapsed time. (It lets continuations run with `setImmediate`, so do not
 * combine it with `vi.useFakeTimers()`, which fakes `setImmediate` too.)
 *
 * Invariants:
 * - `now()` never goes backwards.
 * - sleepers wake in order of due time, ties in order of registration.
 * - when a sleeper wakes, `now()` equals its due time.
 * - an aborted sleeper is removed at once (it no longer counts in `pending()`).
 */
import { InvalidArgumentError } from '../errors.js';
import { abortReason, type Clock } from '../resilience/clock.js';

interface Sleeper {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** Lets every queued continuation run: one macrotask turn drains the microtask queue. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A manually driven {@link Clock} for tests.
 * @example
 * const clock = new FakeClock();
 * const done = clock.sleep(100);
 * await clock.advance(100); // `done` has resolved and its continuation has run
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #sleepers = new Set<Sleeper>();

  /** @param start the initial time in epoch milliseconds (default 0). */
  constructor(start = 0) {
    if (!Number.isFinite(start)) {
      throw new InvalidArgumentError(`FakeClock start must be finite, got ${start}`, 'start');
    }
    this.#now = start;
  }

  /** The current fake time. */
  now(): number {
    return this.#now;
  }

  /** Registers a sleeper due at `now() + ms`; resolves only through `advance`. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#sleepers.delete(sleeper);
        reject(abortReason(signal as AbortSignal));
      };
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Moves time forward by `ms`, waking every sleeper that falls due on the way (including ones
   * registered by continuations of earlier sleepers), and resolves once their continuations ran.
   * @throws InvalidArgumentError when `ms` is negative or not finite.
   */
  async advance(ms: number): Promise<void> {
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw new InvalidArgumentError(`advance(ms) needs a finite ms >= 0, got ${ms}`, 'ms');
    }
    const target = this.#now + ms;
    await settle();
    for (let next = this.#due(target); next; next = this.#due(target)) {
      this.#sleepers.delete(next);
      this.#now = next.at;
      next.resolve();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  /** Advances exactly to the next sleeper's due time, if any. Returns whether one was woken. */
  async next(): Promise<boolean> {
    const first = this.#due(Number.POSITIVE_INFINITY);
    if (!first) return false;
    await this.advance(first.at - this.#now);
    return true;
  }

  /** A cancellable timer, due like a sleeper registered now; see {@link Clock.timer}. */
  timer(ms: number, fire: () => void): () => void {
    const sleeper: Sleeper = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve: fire };
    this.#sleepers.add(sleeper);
    return () => {
      this.#sleepers.delete(sleeper);
    };
  }

  /** How many sleepers (and timers) are waiting. */
  pending(): number {
    return this.#sleepers.size;
  }

  #due(limit: number): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.#sleepers) {
      if (s.at > limit) continue;
      if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    }
    return best;
  }
}
