/**
 * Quotas of the SQLite store. A take is one IMMEDIATE transaction (it takes the database's write
 * lock before reading), so takers in different processes on one file are serialized and never
 * both get the last unit of a limit. Rows are `records` of kind `quota`.
 */
import type Database from 'better-sqlite3';
import {
  judgeQuota,
  parseQuotaBody,
  QUOTA_KIND,
  type QuotaRow,
  releasedBody,
} from '../../ledger/quota-rules.js';
import type { QuotaOutcome, QuotaRequest, QuotaStore } from '../../ledger/quota-store.js';

type Db = Database.Database;

interface Prepared {
  readonly db: Db;
  readonly take: Database.Transaction<(req: QuotaRequest) => QuotaOutcome>;
  readonly release: Database.Transaction<
    (key: string, id: number, tokens: number | undefined) => void
  >;
}

/**
 * Creates the quota side of a SQLite store.
 * @param db the open database (throws when the store is not open)
 * @param write runs a write the way the store does (its error translation and durability)
 */
export function createSqliteQuotaStore(
  db: () => Db,
  write: <T>(fn: () => T) => Promise<T>,
): QuotaStore {
  let prepared: Prepared | undefined;
  const get = (): Prepared => {
    const current = db();
    if (prepared?.db !== current) prepared = prepare(current);
    return prepared;
  };
  return {
    take(req) {
      const p = get();
      return write(() => p.take.immediate(req));
    },
    async release(key, id, tokens) {
      const p = get();
      await write(() => p.release.immediate(key, id, tokens));
    },
  };
}

function prepare(db: Db): Prepared {
  const select = db.prepare<[string, string], { id: number; at: number; body: string }>(
    'SELECT id, at, body FROM records WHERE kind = ? AND key = ? ORDER BY id',
  );
  const selectOne = db.prepare<[number, string, string], { body: string }>(
    'SELECT body FROM records WHERE id = ? AND kind = ? AND key = ?',
  );
  const insert = db.prepare<[string, string, number, string]>(
    'INSERT INTO records (kind, key, run_id, at, body) VALUES (?, ?, NULL, ?, ?)',
  );
  const update = db.prepare<[string, number]>('UPDATE records SET body = ? WHERE id = ?');
  const remove = db.prepare<[number]>('DELETE FROM records WHERE id = ?');
  const take = db.transaction((req: QuotaRequest): QuotaOutcome => {
    const rows: QuotaRow[] = select.all(QUOTA_KIND, req.key).map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      ...parseQuotaBody(r.body),
    }));
    const { verdict, dead } = judgeQuota(rows, req);
    for (const id of dead) remove.run(id);
    if (!verdict.ok) return verdict;
    const info = insert.run(QUOTA_KIND, req.key, req.now, JSON.stringify(verdict.body));
    return { ok: true, id: Number(info.lastInsertRowid) };
  });
  const release = db.transaction((key: string, id: number, tokens: number | undefined) => {
    const row = selectOne.get(id, QUOTA_KIND, key);
    if (!row) return;
    update.run(JSON.stringify(releasedBody(parseQuotaBody(row.body), tokens)), id);
  });
  return { db, take, release };
}
