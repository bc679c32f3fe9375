/**
 * The file under a SQLite store, checked before the driver sees it: the driver reports a
 * directory or a missing folder as a bare `SQLITE_CANTOPEN` (or a codeless TypeError) without the
 * path, and creates new files world-readable under the usual umask. Here each case gets a typed
 * error naming the path, and a new file is created with `fileMode` (default 0600: run state and
 * agent outputs are private to the owner).
 */
import { closeSync, constants, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, NotABatonStoreError, StoreUnavailableError } from '../../errors.js';

/** The default mode of a new store file: read and write for its owner only. */
export const DEFAULT_FILE_MODE = 0o600;

/** @throws InvalidArgumentError when the path cannot name a file (NUL in it). */
export function checkPath(path: string): void {
  if (path.includes('\u0000')) {
    throw new InvalidArgumentError(
      `path ${JSON.stringify(path)} contains a NUL character; a file name cannot`,
      'path',
    );
  }
}

/**
 * Makes sure `path` is a file the driver can open, creating it (empty, with `fileMode`) when it
 * does not exist. Nothing is done for ':memory:' and '' (private databases).
 * @throws NotABatonStoreError when the path is a directory or not a regular file.
 * @throws InvalidArgumentError when the folder it would be created in does not exist.
 * @throws StoreUnavailableError for any other reason it cannot be opened (permissions, ...).
 */
export function prepareFile(path: string, fileMode: number, create = true): void {
  if (path === ':memory:' || path === '') return;
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path);
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ENOENT') throw unavailable(path, e);
  }
  if (stat) {
    if (stat.isDirectory()) throw new NotABatonStoreError(path, 'it is a directory, not a file');
    if (!stat.isFile()) throw new NotABatonStoreError(path, 'it is not a regular file');
    return;
  }
  const folder = dirname(resolve(path));
  if (!isDirectory(folder)) {
    throw new InvalidArgumentError(
      `cannot create the SQLite store ${path}: the folder ${folder} does not exist`,
      'path',
    );
  }
  if (!create) throw new NotABatonStoreError(path, 'the file does not exist');
  try {
    // O_EXCL: if another process creates it first, its file (and its mode) is kept.
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, fileMode));
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'EEXIST') throw unavailable(path, e);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function unavailable(path: string, e: unknown): StoreUnavailableError {
  const message = e instanceof Error ? e.message : String(e);
  return new StoreUnavailableError(`cannot open the SQLite store ${path}: ${message}`, e);
}
