/**
 * Group commit: many runs' writes share one store transaction.
 *
 * Invariants:
 * - A caller's promise settles only after the transaction holding its write has committed
 *   (so every acknowledged version is durable, with synchronous=FULL on SQLite).
 * - Writes submitted while a transaction is in progress wait for the next one; at most one
 *   transaction is in flight per committer, and a batch holds at most `maxBatch` writes.
 */
import type { StateStore } from '../state/store.js';
import type { CommitOutcome, RunWrite } from '../state/types.js';

interface Pending {
  readonly write: RunWrite;
  readonly resolve: (o: CommitOutcome) => void;
  readonly reject: (e: unknown) => void;
}

/** How the committer waits for more writes before flushing. */
export type FlushSchedule = 'microtask' | 'immediate';

/** Batches writes from concurrent callers into shared transactions. */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  /** Transactions and writes committed, for diagnostics and benchmarks. */
  readonly stats = { transactions: 0, writes: 0 };

  constructor(
    private readonly store: StateStore,
    private readonly schedule: FlushSchedule,
    private readonly maxBatch = 1024,
  ) {}

  /** Queues a write; resolves with its outcome once its transaction has committed. */
  submit(write: RunWrite): Promise<CommitOutcome> {
    return new Promise<CommitOutcome>((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.arm();
    });
  }

  private arm(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    if (this.schedule === 'microtask') queueMicrotask(() => void this.flush());
    else setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch =
      this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    try {
      const outcomes = await this.store.commit(batch.map((p) => p.write));
      this.stats.transactions++;
      this.stats.writes += batch.length;
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(outcomes[i]!);
    } catch (e) {
      // The whole transaction failed (I/O error, connection lost): every write in it failed.
      for (const p of batch) p.reject(e);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.arm();
    }
  }
}
