/**
 * Parked waiters of a change feed: `wait` resolves on the next `wakeAll`, after a timeout, or on
 * abort, whichever comes first. Never rejects, and leaves no timer or listener behind.
 */
export class Wakers {
  private readonly waiting = new Set<() => void>();

  /** Resolves on the next `wakeAll`, after `timeoutMs`, or when `signal` aborts. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      signal?.addEventListener('abort', done, { once: true });
      this.waiting.add(done);
    });
  }

  /** Wakes every parked waiter. */
  wakeAll(): void {
    for (const w of [...this.waiting]) w();
  }

  /** How many waiters are parked (a feed polls only while someone waits). */
  get size(): number {
    return this.waiting.size;
  }
}
