/**
 * A per-attempt timeout that a hung agent cannot defeat.
 *
 * Invariants:
 * - `fn` receives a fresh signal that aborts when the timeout fires or the outer signal aborts.
 * - the returned promise settles when `fn` settles, when the timeout fires (`StepTimeoutError`)
 *   or when the outer signal aborts (its reason), whichever comes first, even if `fn` never
 *   settles.
 * - once settled, the timer is cancelled and the outer-signal subscription removed.
 */
import { StepTimeoutError } from '../errors.js';
import { type AbortLink, linkDirectly } from './abort-link.js';
import { type CallerSignal, Cancellation, callerAbortReason } from './cancellation.js';
import { type Clock, startTimer } from './clock.js';

/** Options of {@link withTimeout}. */
export interface TimeoutOptions {
  /** Milliseconds before the attempt is abandoned; `Infinity` for none. */
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** The caller's signal; its abort aborts the attempt too. */
  readonly signal?: CallerSignal | undefined;
  /** What timed out, for `StepTimeoutError.step`. */
  readonly label: string;
  /** How to listen to `signal` (default: one listener per call; a guard shares one). */
  readonly link?: AbortLink;
}

/**
 * Runs `fn(signal)` with a deadline.
 * @throws StepTimeoutError when `timeoutMs` elapses first (the attempt's signal is aborted with it).
 * @throws the outer signal's reason when it aborts first.
 * @throws whatever `fn` throws.
 */
export function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  options: TimeoutOptions,
): Promise<T> {
  return withTimeoutLazy((attempt) => fn(attempt.signal), options);
}

/** The attempt's AbortSignal, created only when read (creating one costs microseconds). */
export interface LazySignal {
  readonly signal: AbortSignal;
}

/**
 * As {@link withTimeout}, but `fn` receives the attempt's signal lazily: an attempt whose code
 * never reads it never pays for it.
 */
export function withTimeoutLazy<T>(
  fn: (attempt: LazySignal) => Promise<T>,
  options: TimeoutOptions,
): Promise<T> {
  const { timeoutMs, clock, signal: outer, label } = options;
  if (outer?.aborted) return Promise.reject(callerAbortReason(outer));
  const attempt = new AbortController();

  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let cancelTimer: (() => void) | undefined;
    let unlink: (() => void) | undefined;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      cancelTimer?.();
      unlink?.();
      return true;
    };
    if (outer) {
      const onAbort = (reason: unknown): void => {
        if (!finish()) return;
        attempt.abort(reason);
        reject(reason);
      };
      unlink =
        outer instanceof Cancellation
          ? outer.subscribe(onAbort)
          : (options.link ?? linkDirectly)(outer, onAbort);
    }
    if (Number.isFinite(timeoutMs)) {
      cancelTimer = startTimer(clock, timeoutMs, () => {
        if (!finish()) return;
        const err = new StepTimeoutError(label, timeoutMs);
        attempt.abort(err);
        reject(err);
      });
    }
    let running: Promise<T>;
    try {
      // The controller is cheap; its `signal` is what costs, so it is read only on demand.
      running = fn(attempt);
    } catch (error) {
      running = Promise.reject(error);
    }
    Promise.resolve(running).then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(error);
      },
    );
  });
}
