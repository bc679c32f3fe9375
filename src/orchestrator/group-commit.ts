/**
 * Group commit: many runs' writes (and many runs' creations) share one store transaction.
 *
 * Invariants:
 * - A caller's promise settles only after the transaction holding its item has committed (so
 *   every acknowledged version is durable, with synchronous=FULL on SQLite).
 * - Items submitted while a transaction is in progress wait for the next one; at most
 *   `maxInFlight` transactions are in flight per batcher (the store's `commitPipeline`, default
 *   1), and a batch holds at most `maxBatch` items.
 */
import type { StateStore } from '../ledger/store.js';
import type { CommitOutcome, CreateRunResult, NewRun, RunWrite } from '../ledger/types.js';

/** How a batcher waits for more items before flushing. */
export type FlushSchedule = 'microtask' | 'immediate';

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (r: R) => void;
  readonly reject: (e: unknown) => void;
}

/** Collects items from concurrent callers and hands them to `flushBatch` together. */
export class Batcher<T, R> {
  private queue: Pending<T, R>[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Transactions and items committed, for diagnostics and benchmarks. */
  readonly stats = { transactions: 0, items: 0 };

  constructor(
    private readonly flushBatch: (items: readonly T[]) => Promise<readonly R[]>,
    private readonly schedule: FlushSchedule,
    private readonly maxBatch = 1024,
    private readonly maxInFlight = 1,
  ) {}

  /** Queues an item; resolves with its result once its batch has committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.arm();
    });
  }

  private arm(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    if (this.schedule === 'microtask') queueMicrotask(() => void this.flush());
    else setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.inFlight++;
    const batch =
      this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    try {
      const results = await this.flushBatch(batch.map((p) => p.item));
      this.stats.transactions++;
      this.stats.items += batch.length;
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
    } catch (e) {
      // The whole transaction failed (I/O error, connection lost): every item in it failed.
      for (const p of batch) p.reject(e);
    } finally {
      this.inFlight--;
      if (this.queue.length > 0) this.arm();
    }
  }
}

/** Batches run writes into shared `store.commit` transactions. */
export class GroupCommitter extends Batcher<RunWrite, CommitOutcome> {
  constructor(store: StateStore, schedule: FlushSchedule, maxBatch = 1024) {
    super((writes) => store.commit(writes), schedule, maxBatch, store.commitPipeline ?? 1);
  }
}

/** Batches run creations (starts) into shared transactions. */
export class GroupCreator extends Batcher<NewRun, CreateRunResult | Error> {
  constructor(store: StateStore, schedule: FlushSchedule, maxBatch = 1024) {
    super((inits) => store.createRuns(inits), schedule, maxBatch, store.commitPipeline ?? 1);
  }
}
