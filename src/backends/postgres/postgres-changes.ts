/**
 * The PostgreSQL change feed. Journal sequence numbers are handed out before commit, so two
 * transactions can commit out of sequence order; a reader that trusted the sequence alone could
 * pass an entry whose transaction was still in flight and never see it. Each journal row
 * therefore records its writing transaction (`tx`, migration 3), and the feed:
 * - orders entries by (tx, seq) and reads only those of transactions older than a horizon: the
 *   oldest transaction in the read's snapshot that was still in flight and may write this
 *   schema's ledger — it holds a lock on `runs` or `journal` (every Baton transaction that
 *   journals locks `runs` first), or it has ended since the snapshot. Any entry that becomes
 *   visible later therefore has a larger tx than every cursor handed out before it, while a
 *   long transaction elsewhere in the cluster (another schema, another database) holds nothing
 *   back;
 * - wakes watchers with LISTEN/NOTIFY (a trigger notifies on every journal insert), on one
 *   dedicated connection opened by the first wait and kept until the store closes; once it
 *   listens it wakes every waiter (a commit may have slipped in before LISTEN took effect);
 *   callers also pass a timeout, which covers an entry held back by another transaction.
 */
import pg from 'pg';
import { InvalidArgumentError } from '../../errors.js';
import { checkListLimit } from '../../ledger/ledger-rules.js';
import type { ChangeFeed, ChangeQuery, ChangeRecord } from '../../ledger/observe.js';
import { Wakers } from '../../ledger/wakers.js';
import { type JournalRow, toJournalEntry } from './postgres-rows.js';

/**
 * The horizon of a read (see above), as a scalar subquery: the smallest in-flight xid of the
 * snapshot that holds a lock on this schema's `runs` or `journal` or has ended since, else the
 * snapshot's xmax. `pg_locks` reports 32-bit xids, compared with the low half of each xid8.
 */
const HORIZON = `SELECT COALESCE(MIN(x), pg_snapshot_xmax(pg_current_snapshot()))
  FROM pg_snapshot_xip(pg_current_snapshot()) AS x
  WHERE pg_xact_status(x) IS DISTINCT FROM 'in progress'
     OR (x::text::bigint % 4294967296)::text IN (
       SELECT l2.transactionid::text FROM pg_locks l
       JOIN pg_locks l2 ON l2.virtualtransaction = l.virtualtransaction
         AND l2.locktype = 'transactionid'
       WHERE l.locktype = 'relation' AND l.relation IN ('runs'::regclass, 'journal'::regclass))`;

/** The notification channel of the journal trigger; the payload is the schema. */
const CHANNEL = 'baton_changes';

/** What the feed needs from the store. */
export interface PostgresFeedSource {
  readonly query: <R extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<R[]>;
  readonly clientConfig: pg.ClientConfig;
  readonly schema: string;
}

/** Parses `tx-seq`; the empty cursor is `0-0`. */
function parseCursor(cursor: string | undefined): [string, string] {
  if (cursor === undefined) return ['0', '0'];
  const m = typeof cursor === 'string' ? /^(\d{1,20})-(\d{1,19})$/.exec(cursor) : null;
  if (!m) {
    throw new InvalidArgumentError(
      `cursor ${JSON.stringify(cursor)} is not a change cursor of this store`,
      'cursor',
    );
  }
  return [m[1]!, m[2]!];
}

/** The feed over one store's schema. */
export class PostgresChangeFeed implements ChangeFeed {
  private readonly wakers = new Wakers();
  private listener: Promise<pg.Client | undefined> | undefined;
  private closed = false;

  constructor(private readonly source: PostgresFeedSource) {}

  async read(q: ChangeQuery): Promise<ChangeRecord[]> {
    const [tx, seq] = parseCursor(q.after);
    const limit = checkListLimit(q.limit) ?? 0;
    const values: unknown[] = [tx, seq];
    const conds = ['(j.tx, j.seq) > ($1::xid8, $2::bigint)', `j.tx < (${HORIZON})`];
    if (q.runId !== undefined) {
      values.push(q.runId);
      conds.push(`j.run_id = $${values.length}`);
    }
    if (q.workflow !== undefined) {
      values.push(q.workflow);
      conds.push(`r.workflow = $${values.length}`);
    }
    for (const [k, v] of Object.entries(q.where ?? {})) {
      values.push(k, v);
      conds.push(
        `EXISTS (SELECT 1 FROM run_attributes a WHERE a.run_id = j.run_id AND a.key = $${values.length - 1} AND a.value = $${values.length})`,
      );
    }
    values.push(limit);
    const rows = await this.source.query<JournalRow & { wf: string; tx_text: string }>(
      `SELECT j.*, j.tx::text AS tx_text, r.workflow AS wf
       FROM journal j JOIN runs r ON r.run_id = j.run_id
       WHERE ${conds.join(' AND ')} ORDER BY j.tx, j.seq LIMIT $${values.length}`,
      values,
    );
    return rows.map((row) => ({
      cursor: `${row.tx_text}-${row.seq}`,
      workflow: row.wf,
      entry: toJournalEntry(row),
    }));
  }

  async head(): Promise<string> {
    const rows = await this.source.query<{ tx: string; seq: string }>(
      `SELECT tx::text AS tx, seq::text AS seq FROM journal
       WHERE tx < (${HORIZON}) ORDER BY tx DESC, seq DESC LIMIT 1`,
      [],
    );
    return rows[0] ? `${rows[0].tx}-${rows[0].seq}` : '0-0';
  }

  async hasAfter(runId: string, after: string | undefined): Promise<boolean> {
    const [tx, seq] = parseCursor(after);
    // No horizon here: an entry still in flight counts (the watcher must wait for it).
    const rows = await this.source.query(
      'SELECT 1 FROM journal WHERE run_id = $1 AND (tx, seq) > ($2::xid8, $3::bigint) LIMIT 1',
      [runId, tx, seq],
    );
    return rows.length > 0;
  }

  wake(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const waited = this.wakers.wait(timeoutMs, signal);
    void this.listen();
    return waited;
  }

  /** Ends the listening connection (the store is closing). */
  async close(): Promise<void> {
    this.closed = true;
    this.wakers.wakeAll();
    await this.unlisten();
  }

  private listen(): Promise<pg.Client | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    this.listener ??= (async () => {
      const client = new pg.Client(this.source.clientConfig);
      client.on('error', () => {
        // A dropped listener: forget it; waiters fall back to their timeouts and listen again.
        if (this.listener) this.listener = undefined;
      });
      client.on('notification', (n) => {
        if (n.payload === this.source.schema) this.wakers.wakeAll();
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        this.wakers.wakeAll();
        return client;
      } catch {
        this.listener = undefined;
        await client.end().catch(() => {});
        return undefined;
      }
    })();
    return this.listener;
  }

  private async unlisten(): Promise<void> {
    const l = this.listener;
    this.listener = undefined;
    const client = await l;
    await client?.end().catch(() => {});
  }
}
