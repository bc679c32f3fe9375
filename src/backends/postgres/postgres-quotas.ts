/**
 * Quotas of the PostgreSQL store. A take holds a transaction-scoped advisory lock on its key
 * while it reads the key's rows and inserts its own, so takers on any number of machines are
 * serialized per key and never both get the last unit of a limit. Rows are `records` of kind
 * `quota`.
 */
import type pg from 'pg';
import {
  judgeQuota,
  parseQuotaBody,
  QUOTA_KIND,
  type QuotaRow,
  releasedBody,
} from '../../ledger/quota-rules.js';
import type { QuotaOutcome, QuotaStore } from '../../ledger/quota-store.js';

/** How the quota store reaches the database (as the event and governance stores do). */
export interface QuotaStoreAccess {
  readonly schema: string;
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}

type Num = string | number;

/** Creates the quota side of a PostgreSQL store. */
export function createPostgresQuotaStore(db: QuotaStoreAccess): QuotaStore {
  const locked = <T>(key: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> =>
    db.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `baton-quota:${db.schema}:${key}`,
      ]);
      return fn(c);
    });
  return {
    take: (req) =>
      locked(req.key, async (c): Promise<QuotaOutcome> => {
        const found = await c.query<{ id: Num; at: Num; body: string }>(
          'SELECT id, at, body FROM records WHERE kind = $1 AND key = $2 ORDER BY id',
          [QUOTA_KIND, req.key],
        );
        const rows: QuotaRow[] = found.rows.map((r) => ({
          id: Number(r.id),
          at: Number(r.at),
          ...parseQuotaBody(r.body),
        }));
        const { verdict, dead } = judgeQuota(rows, req);
        if (dead.length > 0)
          await c.query('DELETE FROM records WHERE id = ANY($1::bigint[])', [dead]);
        if (!verdict.ok) return verdict;
        const inserted = await c.query<{ id: Num }>(
          `INSERT INTO records (kind, key, run_id, at, body) VALUES ($1, $2, NULL, $3, $4)
           RETURNING id`,
          [QUOTA_KIND, req.key, req.now, JSON.stringify(verdict.body)],
        );
        return { ok: true, id: Number(inserted.rows[0]!.id) };
      }),
    release: (key, id, tokens) =>
      locked(key, async (c) => {
        const found = await c.query<{ body: string }>(
          'SELECT body FROM records WHERE id = $1 AND kind = $2 AND key = $3',
          [id, QUOTA_KIND, key],
        );
        const row = found.rows[0];
        if (!row) return;
        await c.query('UPDATE records SET body = $1 WHERE id = $2', [
          JSON.stringify(releasedBody(parseQuotaBody(row.body), tokens)),
          id,
        ]);
      }),
  };
}
