/**
 * The live feed: ephemeral events of running steps (model tokens) for this process's watchers.
 *
 * Invariants:
 * - Nothing here is stored: an event reaches the listeners subscribed at the moment it is
 *   published, in publish order, and is then gone (a watcher that joins late misses it).
 * - Publishing to a run nobody watches costs one map lookup; `watched` lets producers skip the
 *   work of producing (e.g. streaming a model call) when nobody listens.
 */

/** A chunk of text a running step produced (e.g. model tokens), for live watchers only. */
export interface TokenEvent {
  readonly type: 'token';
  readonly runId: string;
  readonly step: string;
  readonly text: string;
}

/** Ephemeral per-run events, in process. */
export class LiveFeed {
  private readonly listeners = new Map<string, Set<(e: TokenEvent) => void>>();

  /** Whether anyone in this process listens to `runId`. */
  watched(runId: string): boolean {
    return this.listeners.has(runId);
  }

  /** Delivers an event to the run's current listeners (a throwing listener is skipped). */
  publish(runId: string, event: Omit<TokenEvent, 'runId'>): void {
    const set = this.listeners.get(runId);
    if (!set) return;
    const e: TokenEvent = { ...event, runId };
    for (const l of set) {
      try {
        l(e);
      } catch {
        // A listener's failure is its own: the step and the other listeners go on.
      }
    }
  }

  /** Listens to a run's events; returns the unsubscribe function. */
  subscribe(runId: string, listener: (e: TokenEvent) => void): () => void {
    let set = this.listeners.get(runId);
    if (!set) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(runId) === set) this.listeners.delete(runId);
    };
  }
}
