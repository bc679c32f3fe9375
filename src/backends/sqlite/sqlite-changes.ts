/**
 * The SQLite change feed: committed journal entries by their sequence (assigned under SQLite's
 * write lock, so sequence order is commit order), read by any process that opens the file.
 *
 * Waking: commits of this store wake its watchers directly; commits of other processes are seen
 * by polling `PRAGMA data_version` (which changes when another connection commits) every
 * POLL_MS, only while someone waits.
 */
import { checkListLimit } from '../../ledger/ledger-rules.js';
import type { ChangeFeed, ChangeQuery, ChangeRecord } from '../../ledger/observe.js';
import { parseSeqCursor } from '../../ledger/observe-rules.js';
import { Wakers } from '../../ledger/wakers.js';
import type { Db } from './open.js';
import { type JournalRow, type SqlParam, toJournalEntry } from './sqlite-rows.js';
import type { StatementCache } from './statements.js';

/** How often waiting watchers check whether another process committed. */
const POLL_MS = 25;

/** What the feed needs from the open store. */
export interface SqliteFeedSource {
  readonly db: Db;
  readonly cache: StatementCache;
}

/** The feed; the store calls `committed()` after each of its own writes. */
export class SqliteChangeFeed implements ChangeFeed {
  private readonly wakers = new Wakers();
  private timer: ReturnType<typeof setInterval> | undefined;
  private dataVersion = -1;

  constructor(private readonly open: () => SqliteFeedSource) {}

  committed(): void {
    if (this.wakers.size > 0) this.wakers.wakeAll();
  }

  async read(q: ChangeQuery): Promise<ChangeRecord[]> {
    const { cache } = this.open();
    const after = parseSeqCursor(q.after);
    const limit = checkListLimit(q.limit) ?? 0;
    const values: SqlParam[] = [after];
    const conds = ['j.seq > ?'];
    if (q.runId !== undefined) {
      conds.push('j.run_id = ?');
      values.push(q.runId);
    }
    if (q.workflow !== undefined) {
      conds.push('r.workflow = ?');
      values.push(q.workflow);
    }
    for (const [k, v] of Object.entries(q.where ?? {})) {
      conds.push(
        'EXISTS (SELECT 1 FROM run_attributes a WHERE a.run_id = j.run_id AND a.key = ? AND a.value = ?)',
      );
      values.push(k, v);
    }
    values.push(limit);
    const sql = `SELECT j.*, r.workflow AS wf FROM journal j JOIN runs r ON r.run_id = j.run_id
                 WHERE ${conds.join(' AND ')} ORDER BY j.seq LIMIT ?`;
    const rows = cache.get<JournalRow & { wf: string }>(sql).all(...values);
    return rows.map((row) => ({
      cursor: String(row.seq),
      workflow: row.wf,
      entry: toJournalEntry(row),
    }));
  }

  async head(): Promise<string> {
    const { cache } = this.open();
    const row = cache.get<{ s: number | null }>('SELECT MAX(seq) AS s FROM journal').get();
    return String(row?.s ?? 0);
  }

  async hasAfter(runId: string, after: string | undefined): Promise<boolean> {
    const row = this.open()
      .cache.get<{ one: number }>(
        'SELECT 1 AS one FROM journal WHERE run_id = ? AND seq > ? LIMIT 1',
      )
      .get(runId, parseSeqCursor(after));
    return row !== undefined;
  }

  wake(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    this.open();
    const waited = this.wakers.wait(timeoutMs, signal);
    this.startPolling();
    return waited.finally(() => this.stopPollingIfIdle());
  }

  /** Stops polling (the store is closing). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.wakers.wakeAll();
  }

  private startPolling(): void {
    if (this.timer) return;
    this.dataVersion = this.readDataVersion();
    this.timer = setInterval(() => {
      const v = this.readDataVersion();
      if (v !== this.dataVersion) {
        this.dataVersion = v;
        this.wakers.wakeAll();
      }
    }, POLL_MS);
    // A watcher's poll must never keep a process alive on its own.
    this.timer.unref?.();
  }

  private stopPollingIfIdle(): void {
    if (this.wakers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private readDataVersion(): number {
    try {
      return this.open().db.pragma('data_version', { simple: true }) as number;
    } catch {
      // The store closed under the poller: wake everyone so they see it.
      this.close();
      return -1;
    }
  }
}
