/**
 * Buffers finished spans (and evaluation records) and writes them to the Baton store in batches.
 *
 * Invariants:
 * - The hot path only pushes to an array; a write is one `appendRecords` call for everything
 *   buffered, scheduled when a run ends or the buffer is full, so concurrent runs ending together
 *   share one transaction.
 * - `flush()` resolves once everything pushed before it is written (or rejects with the error).
 * - Retention prunes span records only (evaluations belong with the state versions), at most
 *   once per `pruneEveryMs` on background writes and on every `flush()`.
 */
import { toError } from '../errors.js';
import type { StateStore } from '../ledger/store.js';
import type { AuxRecord } from '../ledger/types.js';

/** Options of {@link SpanWriter}. */
export interface SpanWriterOptions {
  readonly store: StateStore;
  readonly now: () => number;
  readonly retentionMs: number | undefined;
  /** Background write failures go here (a failed `flush()` rejects instead). */
  readonly onError: (error: Error) => void;
  /** Write as soon as this many records are buffered (default 512). */
  readonly maxBatch?: number;
}

/** The batching writer of the built-in trace store. */
export class SpanWriter {
  private buffer: AuxRecord[] = [];
  private readonly pending = new Set<Promise<void>>();
  private scheduled = false;
  private lastPrune = Number.NEGATIVE_INFINITY;
  private readonly maxBatch: number;
  private readonly pruneEveryMs: number;

  constructor(private readonly options: SpanWriterOptions) {
    this.maxBatch = options.maxBatch ?? 512;
    this.pruneEveryMs = Math.min(options.retentionMs ?? 0, 60_000);
  }

  /** Buffers a record; writes soon when the buffer is full. */
  push(record: AuxRecord): void {
    this.buffer.push(record);
    if (this.buffer.length >= this.maxBatch) this.schedule();
  }

  /** Writes the buffer on the next turn of the event loop (coalescing runs that end together). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const p = this.writeOut(false).catch((e: unknown) => this.options.onError(toError(e)));
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    });
  }

  /**
   * Writes everything buffered and applies retention.
   * @throws whatever the store throws.
   */
  async flush(): Promise<void> {
    await Promise.all(this.pending);
    await this.writeOut(true);
  }

  private async writeOut(forcePrune: boolean): Promise<void> {
    const batch = this.buffer;
    if (batch.length > 0) {
      this.buffer = [];
      await this.options.store.appendRecords(batch);
    }
    const { retentionMs } = this.options;
    if (retentionMs === undefined) return;
    const now = this.options.now();
    if (!forcePrune && now - this.lastPrune < this.pruneEveryMs) return;
    this.lastPrune = now;
    await this.options.store.pruneRecords('span', Math.floor(now - retentionMs));
  }
}
