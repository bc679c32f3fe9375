/**
 * A cheap cancellation source for the hot path. Every run needs a way to stop its in-flight
 * agents (cancel, lease lost, runtime closing), but Node's AbortSignal is an EventTarget: each
 * instance gets a hidden class of its own, and adding or removing a listener dispatches through
 * DOM event machinery. A run that is never cancelled (almost every run) should pay for none of
 * that, so a `Cancellation` keeps plain callbacks and creates a real AbortSignal only when some
 * code asks for one (a limiter queue, a backoff sleep, an agent reading `ctx.signal`).
 *
 * Invariants:
 * - `abort` takes effect once: later calls change nothing.
 * - a subscriber is called at most once, with the reason, and never after unsubscribing; one
 *   that subscribes after the abort is not called (callers check `aborted` first).
 * - `signal`, whenever first read, is aborted with the same reason if the source is.
 */
import { abortReason } from './clock.js';

export class Cancellation {
  private state: { reason: unknown } | undefined;
  private readonly subscribers = new Set<(reason: unknown) => void>();
  private controller: AbortController | undefined;

  get aborted(): boolean {
    return this.state !== undefined;
  }

  get reason(): unknown {
    return this.state?.reason;
  }

  /** The equivalent AbortSignal, created on first read. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.state) this.controller.abort(this.state.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.state) return;
    this.state = { reason };
    this.controller?.abort(reason);
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    for (const s of subscribers) s(reason);
  }

  /** Calls `onAbort` when this source aborts; returns the function that unsubscribes. */
  subscribe(onAbort: (reason: unknown) => void): () => void {
    this.subscribers.add(onAbort);
    return () => {
      this.subscribers.delete(onAbort);
    };
  }
}

/** What a caller may pass to stop an operation: an AbortSignal or a Cancellation. */
export type CallerSignal = AbortSignal | Cancellation;

/** The AbortSignal form of a caller signal (created lazily for a Cancellation). */
export function toAbortSignal(s: CallerSignal | undefined): AbortSignal | undefined {
  return s instanceof Cancellation ? s.signal : s;
}

/** The reason to reject with when `s` aborted. */
export function callerAbortReason(s: CallerSignal): unknown {
  return s instanceof Cancellation ? s.reason : abortReason(s);
}
