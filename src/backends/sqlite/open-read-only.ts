/**
 * Opening a SQLite store file read-only (`sqliteStore(path, { readOnly: true })`, the CLI's read
 * commands): the file must already be a Baton store, and opening it must not change anything
 * another process depends on.
 *
 * What SQLite does, and so what this guarantees (test/store/sqlite-read-only.int.test.ts):
 * - The file is opened O_RDONLY (better-sqlite3 `readonly`), so its bytes and mtime never change
 *   and no migration, pragma or write can run.
 * - A Baton store is in WAL mode. To read a WAL database SQLite needs its `-wal` and `-shm`
 *   files, and a read-only connection *creates* them when they are missing (after the last
 *   writer closed cleanly) and leaves them behind. They get the database file's mode; run as
 *   root, SQLite also gives them the file's owner. Run as another user, they would belong to
 *   that user, and the owner's next write would fail ("attempt to write a readonly database").
 *   So a process that is neither the file's owner nor root is refused before anything is opened
 *   when either file is missing; when both exist (the owner's runtime has the store open), it
 *   reads through them and creates nothing.
 */
import { closeSync, existsSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { NotABatonStoreError, StoreUnavailableError } from '../../errors.js';
import { MIGRATIONS_TABLE } from '../../ledger/migrations.js';

type Db = BetterSqlite3.Database;
type DatabaseConstructor = typeof BetterSqlite3;

/**
 * Opens an existing store file read-only, refusing what is not a file, an empty file, and a
 * read that would leave side files owned by another user.
 * @throws NotABatonStoreError when the file is missing, empty, a directory or not a regular file.
 * @throws StoreUnavailableError when it cannot be opened, or reading it would create `-wal`/`-shm`
 * files owned by this user rather than the file's owner.
 */
export function openFileReadOnly(Database: DatabaseConstructor, path: string, timeout: number): Db {
  const st = statOf(path);
  if (st.isDirectory()) throw new NotABatonStoreError(path, 'it is a directory, not a file');
  if (!st.isFile()) throw new NotABatonStoreError(path, 'it is not a regular file');
  if (st.size === 0) throw new NotABatonStoreError(path, 'the file is empty');
  if (isWalFile(path)) guardSideFiles(path, st.uid);
  try {
    return new Database(path, { readonly: true, fileMustExist: true, timeout });
  } catch (e) {
    throw new StoreUnavailableError(
      `cannot open the SQLite store ${path} read-only: ${e instanceof Error ? e.message : String(e)}`,
      e,
    );
  }
}

/** Whether the file holds Baton's migrations table. */
export function hasMigrationsTable(db: Db): boolean {
  return (
    db
      .prepare<[string], number>(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
      )
      .pluck()
      .get(MIGRATIONS_TABLE) === 1
  );
}

function statOf(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT')
      throw new NotABatonStoreError(path, 'the file does not exist');
    throw new StoreUnavailableError(
      `cannot open the SQLite store ${path}: ${e instanceof Error ? e.message : String(e)}`,
      e,
    );
  }
}

/** True when the header says WAL mode (file format read and write versions 2). */
function isWalFile(path: string): boolean {
  const head = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, head, 0, 20, 0) < 20) return false;
  } finally {
    closeSync(fd);
  }
  return head.toString('latin1', 0, 16) === 'SQLite format 3\u0000' && head[18] === 2;
}

/** Refuses a read that would create `-wal`/`-shm` files owned by someone else than the file's owner. */
function guardSideFiles(path: string, ownerUid: number): void {
  // No uids (Windows): files there carry no owner that could lock the owner out.
  const uid = process.geteuid?.();
  if (uid === undefined || uid === 0 || uid === ownerUid) return;
  const missing = [`${path}-wal`, `${path}-shm`].filter((f) => !existsSync(f));
  if (missing.length === 0) return;
  throw new StoreUnavailableError(
    `cannot read the SQLite store ${path} as uid ${uid} without writing next to it: SQLite would create ${missing.join(' and ')} owned by uid ${uid}, and the owner (uid ${ownerUid}) could then no longer write the store; run the command as the store's owner, or while the owner's runtime has it open`,
  );
}
