/**
 * Group commit for the event store's writes: the appends, claims and settlements requested in
 * one turn of the event loop share one BEGIN IMMEDIATE transaction and one fsync.
 *
 * Each write used to be its own transaction: a WAL commit per settlement rewrote the same few
 * pages (the deliveries table and its indexes, the events table and its indexes) for every event.
 * Batched, those pages are written once per batch.
 *
 * Invariants:
 * - Writes run in submission order inside the batch's transaction, without savepoints (fast
 *   path). If one throws, the whole transaction rolls back and the batch is replayed with one
 *   SAVEPOINT per write, so the write that throws is rolled back alone and fails alone; the
 *   others commit. (Writes must therefore be plain functions of the database, not transactions.)
 * - A caller's promise resolves only after the batch has committed AND the commit is durable
 *   (`durable()`: the shared background fsync, or nothing when SQLite syncs inline), so every
 *   acknowledged write is on disk as before.
 * - A failure of the transaction itself (BEGIN or COMMIT: a lock held too long, a damaged file,
 *   a full disk), a fatal driver error in any write, or a failed fsync fails every write of the
 *   batch; nothing of it is acknowledged.
 */
import { isFatalDriverError } from './fatal-errors.js';
import type { Db } from './open.js';
import { runLocked } from './sqlite-commit.js';

interface Pending {
  readonly op: () => unknown;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** Collects writes and commits them together on the next turn of the event loop. */
export class EventWriteBatch {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Transactions and writes committed (diagnostics and benchmarks). */
  readonly stats = { transactions: 0, writes: 0 };

  constructor(
    private readonly db: () => Db,
    private readonly durable: () => Promise<void> | undefined,
  ) {}

  /** Queues `op` (a transaction function of the store); resolves with its result once durable. */
  submit<T>(op: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    let durable: Promise<void> | undefined;
    try {
      outcomes = runLocked(() => {
        const db = this.db();
        try {
          return db
            .transaction(() => batch.map((p) => ({ ok: true, value: p.op() }) as Outcome))
            .immediate();
        } catch (e) {
          if (isFatalDriverError(e) || batch.length === 1) throw e;
          // Rolled back: replay with a savepoint per write so only the failing one fails.
          return db.transaction(() => batch.map((p) => attempt(db, p.op))).immediate();
        }
      });
      durable = this.durable();
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    this.stats.transactions++;
    this.stats.writes += batch.length;
    const settle = (): void => {
      for (let i = 0; i < batch.length; i++) {
        const o = outcomes[i]!;
        if (o.ok) batch[i]!.resolve(o.value);
        else batch[i]!.reject(o.error);
      }
    };
    if (durable === undefined) settle();
    else
      durable.then(settle, (e: unknown) => {
        for (const p of batch) p.reject(e);
      });
  }
}

/** Runs one write in its savepoint; a fatal driver error aborts the whole batch. */
function attempt(db: Db, op: () => unknown): Outcome {
  try {
    // A transaction function called inside a transaction runs as a SAVEPOINT.
    return { ok: true, value: db.transaction(op)() };
  } catch (e) {
    if (isFatalDriverError(e)) throw e;
    return { ok: false, error: e };
  }
}
