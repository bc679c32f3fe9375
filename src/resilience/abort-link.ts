/**
 * Links a caller's AbortSignal to many attempts without piling listeners on it. A runtime passes
 * one run (or runtime) signal to every attempt; adding one listener per in-flight attempt would
 * trip Node's "possible EventTarget memory leak" warning past 10 and cost a listener each.
 * A linker keeps one real listener per signal and fans out to its current subscribers.
 *
 * Invariants:
 * - at most one listener per signal per linker, and none once its last subscriber unlinked.
 * - a subscriber is called at most once, with the signal's reason, and never after unlinking.
 */
import { abortReason } from './clock.js';

/** Subscribes to a signal's abort; returns the function that unsubscribes. */
export type AbortLink = (signal: AbortSignal, onAbort: (reason: unknown) => void) => () => void;

/** Links each subscriber with its own listener (fine for a handful of attempts). */
export const linkDirectly: AbortLink = (signal, onAbort) => {
  const listener = (): void => onAbort(abortReason(signal));
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
};

interface Fanout {
  readonly subscribers: Set<(reason: unknown) => void>;
  readonly listener: () => void;
}

/** Creates a linker that shares one listener per signal among all its subscribers. */
export function createAbortLinker(): AbortLink {
  const fanouts = new WeakMap<AbortSignal, Fanout>();
  return (signal, onAbort) => {
    let fanout = fanouts.get(signal);
    if (!fanout) {
      const subscribers = new Set<(reason: unknown) => void>();
      const listener = (): void => {
        fanouts.delete(signal);
        const reason = abortReason(signal);
        for (const s of [...subscribers]) s(reason);
        subscribers.clear();
      };
      fanout = { subscribers, listener };
      fanouts.set(signal, fanout);
      signal.addEventListener('abort', listener, { once: true });
    }
    const own = fanout;
    own.subscribers.add(onAbort);
    return () => {
      if (!own.subscribers.delete(onAbort) || own.subscribers.size > 0) return;
      signal.removeEventListener('abort', own.listener);
      if (fanouts.get(signal) === own) fanouts.delete(signal);
    };
  };
}
