/**
 * Time, injected. Every policy that waits (timeouts, backoff, breaker reset periods, token
 * refills) reads time and sleeps through a `Clock`, so tests drive time with a fake clock and
 * never really wait.
 *
 * Invariants:
 * - `sleep` resolves no earlier than `ms` after the call (as measured by `now`).
 * - `sleep` with an aborted (or later aborted) signal rejects with the signal's reason and
 *   releases its timer, so an abandoned sleep never keeps the process alive.
 */

/** A source of time and of timed waits. */
export interface Clock {
  /** Milliseconds since the Unix epoch (wall time: it is recorded with breaker transitions). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds.
   * @throws the signal's reason when `signal` aborts first.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Optional fast path for cancellable timers: calls `fire` after `ms` unless the returned
   * function is called first. Clocks without it get the same behaviour from `sleep` and an
   * AbortSignal, which costs far more per call (aborting a signal dispatches a DOM event), so
   * the hot path (one timeout per agent attempt) uses this when present.
   */
  timer?(ms: number, fire: () => void): () => void;
}

/** Starts a cancellable timer on any clock; returns the cancel function. */
export function startTimer(clock: Clock, ms: number, fire: () => void): () => void {
  if (clock.timer) return clock.timer(ms, fire);
  const ctl = new AbortController();
  clock.sleep(ms, ctl.signal).then(fire, () => undefined); // rejected only when cancelled
  return () => ctl.abort();
}

/** The reason to reject with when a signal aborted without one. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  timer(ms: number, fire: () => void): () => void {
    const t = setTimeout(fire, Math.max(0, ms));
    return () => clearTimeout(t);
  },
});
