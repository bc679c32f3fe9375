/**
 * The memory store's change feed: every committed journal entry in commit order, with the
 * sequence the store gave it, and the waiters to wake on each commit.
 */
import { checkListLimit } from '../../ledger/ledger-rules.js';
import type {
  ChangeFeed,
  ChangeQuery,
  ChangeRecord,
  SearchAttributes,
} from '../../ledger/observe.js';
import { matchesWhere, parseSeqCursor } from '../../ledger/observe-rules.js';
import { journalWithSeq } from '../../ledger/records.js';
import type { JournalEntry, RunStatus } from '../../ledger/types.js';
import { Wakers } from '../../ledger/wakers.js';

interface FeedEntry {
  readonly seq: number;
  readonly workflow: string;
  readonly entry: JournalEntry;
  readonly status: RunStatus | null;
}

/** The feed; the store appends to it inside each commit. */
export class MemoryChangeFeed implements ChangeFeed {
  private readonly log: FeedEntry[] = [];
  private readonly wakers = new Wakers();

  constructor(
    private readonly assertOpen: () => void,
    private readonly attributesOf: (runId: string) => SearchAttributes | undefined,
  ) {}

  /** Records committed entries (already frozen and numbered by the store). */
  append(workflow: string, entry: JournalEntry, seq: number, status: RunStatus | null): void {
    this.log.push({ seq, workflow, entry, status });
  }

  /** Wakes watchers after a commit. */
  committed(): void {
    if (this.wakers.size > 0) this.wakers.wakeAll();
  }

  async read(q: ChangeQuery): Promise<ChangeRecord[]> {
    this.assertOpen();
    const after = parseSeqCursor(q.after);
    const limit = checkListLimit(q.limit) ?? 0;
    const out: ChangeRecord[] = [];
    // Sequences are contiguous from 1 in the log: start right after the cursor.
    for (let i = this.firstAfter(after); i < this.log.length && out.length < limit; i++) {
      const f = this.log[i]!;
      if (q.runId !== undefined && f.entry.runId !== q.runId) continue;
      if (q.workflow !== undefined && f.workflow !== q.workflow) continue;
      if (q.where && !matchesWhere(this.attributesOf(f.entry.runId), q.where)) continue;
      out.push({
        cursor: String(f.seq),
        workflow: f.workflow,
        entry: journalWithSeq(f.entry, f.seq, f.status),
      });
    }
    return out;
  }

  async head(): Promise<string> {
    this.assertOpen();
    return String(this.log.at(-1)?.seq ?? 0);
  }

  wake(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.wakers.wait(timeoutMs, signal);
  }

  private firstAfter(seq: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
