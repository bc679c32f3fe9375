/**
 * The memory store's change feed: every committed journal entry in commit order, and the
 * waiters to wake on each commit.
 *
 * Kept lean because the memory store serves the benchmarks' hottest lines: an entry's sequence is
 * its position in the log plus one (the store numbers every entry it commits, in order), the
 * rare status changes sit in a map by sequence, and the workflow is read from the run on read.
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

/** What the feed reads from the store about a run. */
export interface FeedRunInfo {
  readonly workflow: string;
  readonly attributes: SearchAttributes | undefined;
}

/** The feed; the store appends to it inside each commit. */
export class MemoryChangeFeed implements ChangeFeed {
  private readonly log: JournalEntry[] = [];
  private readonly statuses = new Map<number, RunStatus>();
  private readonly wakers = new Wakers();

  constructor(
    private readonly assertOpen: () => void,
    private readonly runInfo: (runId: string) => FeedRunInfo | undefined,
  ) {}

  /** Records a committed entry; returns its sequence number. */
  append(entry: JournalEntry, status: RunStatus | null): number {
    this.log.push(entry);
    const seq = this.log.length;
    if (status !== null) this.statuses.set(seq, status);
    return seq;
  }

  /** The status the write of entry `seq` set, if it was that write's last entry. */
  statusAt(seq: number): RunStatus | null {
    return this.statuses.get(seq) ?? null;
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
    for (let i = after; i < this.log.length && out.length < limit; i++) {
      const entry = this.log[i]!;
      if (q.runId !== undefined && entry.runId !== q.runId) continue;
      const info = this.runInfo(entry.runId);
      const workflow = info?.workflow ?? '';
      if (q.workflow !== undefined && workflow !== q.workflow) continue;
      if (q.where && !matchesWhere(info?.attributes, q.where)) continue;
      const seq = i + 1;
      out.push({
        cursor: String(seq),
        workflow,
        entry: journalWithSeq(entry, seq, this.statusAt(seq)),
      });
    }
    return out;
  }

  async head(): Promise<string> {
    this.assertOpen();
    return String(this.log.length);
  }

  async hasAfter(runId: string, after: string | undefined): Promise<boolean> {
    this.assertOpen();
    for (let i = parseSeqCursor(after); i < this.log.length; i++)
      if (this.log[i]!.runId === runId) return true;
    return false;
  }

  wake(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.wakers.wait(timeoutMs, signal);
  }
}
