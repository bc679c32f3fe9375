/**
 * Opening a SQLite ledger file: load the driver, recognise (or refuse) the file, set the
 * durability pragmas and apply pending migrations; or, read-only, recognise it and check that
 * its schema is this code's, writing nothing (open-read-only.ts).
 *
 * Invariants:
 * - The file is inspected before anything is written to it, so opening a foreign SQLite file or
 *   a non-SQLite file fails without modifying it.
 * - Each migration runs in its own BEGIN IMMEDIATE transaction together with its row in
 *   `baton_migrations`; the applied version is re-read inside that transaction, so two processes
 *   migrating one file at once apply each migration exactly once.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import {
  NotABatonStoreError,
  StoreCorruptError,
  StoreSchemaTooNewError,
  StoreUnavailableError,
} from '../../errors.js';
import {
  MIGRATIONS,
  MIGRATIONS_TABLE,
  MIGRATIONS_TABLE_DDL,
  SCHEMA_VERSION,
} from '../../ledger/migrations.js';
import { assertReadableSchema } from '../../ledger/read-only-store.js';
import { prepareFile } from './open-file.js';
import { hasMigrationsTable, openFileReadOnly } from './open-read-only.js';

/** The driver's database handle. */
export type Db = BetterSqlite3.Database;

/** Options resolved by `sqliteStore`. */
export interface ResolvedSqliteOptions {
  readonly synchronous: 'FULL' | 'NORMAL';
  /** Where FULL's fsync runs; 'background' connections commit with NORMAL (see wal-sync.ts). */
  readonly fsync: 'background' | 'inline';
  readonly busyTimeoutMs: number;
  /** The mode a new file is created with (default 0o600). */
  readonly fileMode: number;
  /** Open an existing store read-only: never created, never migrated (open-read-only.ts). */
  readonly readOnly: boolean;
}

/**
 * Opens `path`, checks it is a Baton store (or empty), configures WAL and applies migrations.
 * @throws NotABatonStoreError when the file is not SQLite, or is SQLite without Baton's tables.
 * @throws StoreSchemaTooNewError when the file was written by a newer schema.
 */
export async function openLedger(path: string, options: ResolvedSqliteOptions): Promise<Db> {
  // Loaded here, not at module load: importing Baton must not load a native driver.
  const { default: Database } = await import('better-sqlite3');
  if (options.readOnly) {
    const db = openFileReadOnly(Database, path, options.busyTimeoutMs);
    try {
      inspect(db, path);
      assertReadableSchema(path, hasMigrationsTable(db) ? appliedVersion(db) : undefined);
      return db;
    } catch (e) {
      db.close();
      throw e;
    }
  }
  prepareFile(path, options.fileMode);
  let db: Db;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs });
  } catch (e) {
    throw new StoreUnavailableError(
      `cannot open the SQLite store ${path}: ${e instanceof Error ? e.message : String(e)}`,
      e,
    );
  }
  try {
    inspect(db, path);
    // WAL: readers never block the writer and a commit is one append (+ fsync with FULL).
    db.pragma('journal_mode = WAL');
    // Background fsync: SQLite writes the WAL without syncing; the store syncs it off the event
    // loop before acknowledging any write (wal-sync.ts).
    const background = options.synchronous === 'FULL' && options.fsync === 'background';
    db.pragma(`synchronous = ${background ? 'NORMAL' : options.synchronous}`);
    migrate(db, path);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function inspect(db: Db, path: string): void {
  let tables: string[];
  try {
    tables = db
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    // A file that starts like SQLite but cannot be read is damaged, not foreign.
    if (code === 'SQLITE_CORRUPT' || (code === 'SQLITE_NOTADB' && hasSqliteHeader(path))) {
      throw new StoreCorruptError(path, (e as Error).message, e);
    }
    if (code === 'SQLITE_NOTADB') {
      throw new NotABatonStoreError(path, 'the file is not a SQLite database');
    }
    throw e;
  }
  const userTables = tables.filter((t) => !t.startsWith('sqlite_'));
  if (userTables.length > 0 && !userTables.includes(MIGRATIONS_TABLE)) {
    throw new NotABatonStoreError(
      path,
      `it has tables (${userTables.slice(0, 5).join(', ')}) but no ${MIGRATIONS_TABLE} table`,
    );
  }
}

/** True when the file begins with SQLite's 16-byte magic header. */
function hasSqliteHeader(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(16);
      readSync(fd, head, 0, 16, 0);
      return head.toString('latin1') === 'SQLite format 3\u0000';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function appliedVersion(db: Db): number {
  const v = db.prepare<[], number | null>(`SELECT MAX(id) FROM ${MIGRATIONS_TABLE}`).pluck().get();
  return v ?? 0;
}

function migrate(db: Db, path: string): void {
  db.exec(MIGRATIONS_TABLE_DDL.sqlite);
  const record = db.prepare<[number, string, number]>(
    `INSERT INTO ${MIGRATIONS_TABLE} (id, name, applied_at) VALUES (?, ?, ?)`,
  );
  const current = appliedVersion(db);
  if (current > SCHEMA_VERSION) throw new StoreSchemaTooNewError(path, current, SCHEMA_VERSION);
  for (const m of MIGRATIONS) {
    if (m.id <= current) continue;
    const apply = db.transaction(() => {
      // Another process may have applied it between our read and our lock.
      if (appliedVersion(db) >= m.id) return;
      for (const sql of m.sqlite) db.exec(sql);
      record.run(m.id, m.name, Date.now());
    });
    apply.immediate();
  }
}
