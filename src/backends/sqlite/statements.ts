/**
 * Every prepared statement of the SQLite ledger, prepared once per open database. Queries whose
 * shape depends on optional filters are prepared on first use and kept in a per-instance cache.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from './open.js';
import {
  JOURNAL_COLUMNS,
  type JournalRow,
  type Param,
  RECORD_COLUMNS,
  RUN_COLUMNS,
  type RunRow,
  VERSION_COLUMNS,
  type VersionRow,
} from './sqlite-rows.js';

type Stmt<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

/** The fixed statements of the ledger. */
export interface Statements {
  /** [head_version, lease_owner] of a run, in raw (array) mode: the one read of the hot path. */
  readonly head: Stmt<[string], [number, string | null]>;
  readonly getRun: Stmt<[string], RunRow>;
  readonly runByKey: Stmt<[string], RunRow>;
  readonly insertRun: Stmt<Param[]>;
  /** Inserts a run unless its id or idempotency key exists (`changes` 0 then). */
  readonly insertRunIfNew: Stmt<Param[]>;
  readonly insertVersion: Stmt<Param[]>;
  readonly insertJournal: Stmt<Param[]>;
  readonly insertRecord: Stmt<Param[]>;
  readonly insertAttribute: Stmt<[string, string, string, number]>;
  /** Sets the head only (the common case: versions appended, no run patch). */
  readonly setHead: Stmt<[number, string]>;
  /** Applies a run patch; each field has a "set it" flag so explicit nulls are kept. */
  readonly patchRun: Stmt<Param[]>;
  readonly readVersions: Stmt<[string, number, number], VersionRow>;
  readonly maxVersion: Stmt<[string], number | null>;
  readonly readJournal: Stmt<[string], JournalRow>;
  readonly claimable: Stmt<[string, string | null, string | null, number, string, number], RunRow>;
  readonly setLease: Stmt<[string, number, string]>;
  readonly renewLease: Stmt<[number, string, string]>;
  readonly prune: Stmt<[string, number]>;
}

/** Prepares the fixed statements. */
export function prepareStatements(db: Db): Statements {
  return {
    head: db
      .prepare<[string], [number, string | null]>(
        'SELECT head_version, lease_owner FROM runs WHERE run_id = ?',
      )
      .raw(true),
    getRun: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE run_id = ?'),
    runByKey: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE idempotency_key = ?'),
    insertRun: db.prepare<Param[]>(
      `INSERT INTO runs (${RUN_COLUMNS}) VALUES (${marks(RUN_COLUMNS)})`,
    ),
    insertRunIfNew: db.prepare<Param[]>(
      `INSERT INTO runs (${RUN_COLUMNS}) VALUES (${marks(RUN_COLUMNS)}) ON CONFLICT DO NOTHING`,
    ),
    insertVersion: db.prepare<Param[]>(
      `INSERT INTO versions (${VERSION_COLUMNS}) VALUES (${marks(VERSION_COLUMNS)})`,
    ),
    insertJournal: db.prepare<Param[]>(
      `INSERT INTO journal (${JOURNAL_COLUMNS}) VALUES (${marks(JOURNAL_COLUMNS)})`,
    ),
    insertRecord: db.prepare<Param[]>(
      `INSERT INTO records (${RECORD_COLUMNS}) VALUES (${marks(RECORD_COLUMNS)})`,
    ),
    insertAttribute: db.prepare<[string, string, string, number]>(
      'INSERT INTO run_attributes (run_id, key, value, created_at) VALUES (?, ?, ?, ?)',
    ),
    setHead: db.prepare<[number, string]>('UPDATE runs SET head_version = ? WHERE run_id = ?'),
    patchRun: db.prepare<Param[]>(
      `UPDATE runs SET
         head_version = ?,
         updated_at = ?,
         status = CASE WHEN ? THEN ? ELSE status END,
         output = CASE WHEN ? THEN ? ELSE output END,
         error = CASE WHEN ? THEN ? ELSE error END,
         waiting_for = CASE WHEN ? THEN ? ELSE waiting_for END,
         lease_owner = CASE WHEN ? THEN ? ELSE lease_owner END,
         lease_expires_at = CASE WHEN ? THEN ? ELSE lease_expires_at END
       WHERE run_id = ?`,
    ),
    readVersions: db.prepare<[string, number, number], VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM versions
       WHERE run_id = ? AND version >= ? AND version <= ? ORDER BY version`,
    ),
    maxVersion: db
      .prepare<[string], number | null>('SELECT MAX(version) FROM versions WHERE run_id = ?')
      .pluck(),
    readJournal: db.prepare<[string], JournalRow>(
      'SELECT * FROM journal WHERE run_id = ? ORDER BY seq',
    ),
    // Filters arrive as JSON arrays so one statement serves any number of statuses/workflows.
    claimable: db.prepare<[string, string | null, string | null, number, string, number], RunRow>(
      `SELECT * FROM runs
       WHERE status IN (SELECT value FROM json_each(?))
         AND (? IS NULL OR workflow IN (SELECT value FROM json_each(?)))
         AND (lease_owner IS NULL OR COALESCE(lease_expires_at, 0) <= ? OR lease_owner = ?)
       ORDER BY created_at, run_id
       LIMIT ?`,
    ),
    setLease: db.prepare<[string, number, string]>(
      'UPDATE runs SET lease_owner = ?, lease_expires_at = ? WHERE run_id = ?',
    ),
    renewLease: db.prepare<[number, string, string]>(
      'UPDATE runs SET lease_expires_at = ? WHERE run_id = ? AND lease_owner = ?',
    ),
    prune: db.prepare<[string, number]>('DELETE FROM records WHERE kind = ? AND at < ?'),
  };
}

function marks(columns: string): string {
  return columns
    .split(',')
    .map(() => '?')
    .join(', ');
}

/** Lazily prepared statements keyed by their SQL text, one cache per open database. */
export class StatementCache {
  private readonly cache = new Map<string, Stmt<Param[]>>();
  constructor(private readonly db: Db) {}

  /** The prepared statement for `sql`, prepared on first use. */
  get<R>(sql: string): Stmt<Param[], R> {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<Param[]>(sql);
      this.cache.set(sql, stmt);
    }
    return stmt as Stmt<Param[], R>;
  }
}

/** SQL querying auxiliary records of one kind, for the given filter shape. */
export function queryRecordsSql(byKey: boolean, byRun: boolean, newestFirst: boolean): string {
  const where = ['kind = ?', byKey && 'key = ?', byRun && 'run_id = ?'].filter(Boolean);
  return `SELECT * FROM records WHERE ${where.join(' AND ')}
          ORDER BY id ${newestFirst ? 'DESC' : 'ASC'} LIMIT ?`;
}
