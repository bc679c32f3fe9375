/**
 * The embedded ledger: one SQLite file, shared safely by any number of processes on one machine.
 *
 * Invariants:
 * - Append-only: versions are only ever INSERTed; nothing here updates or deletes a version.
 * - Every write runs in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so two
 *   processes never deadlock upgrading a read lock, and the head/lease check and the append see
 *   the same snapshot of the file.
 * - Lifecycle is the same as every backend's: construct (no I/O), `await migrate()` (opens the
 *   file, loads better-sqlite3, applies migrations), use, `close()`.
 * - The store keeps no read cache; callers may cache a version under (runId, version) forever,
 *   because a stored version is never rewritten.
 */
import {
  InvalidArgumentError,
  StoreClosedError,
  type StoreCorruptError,
  type StoreFullError,
} from '../../errors.js';
import { describeValue } from '../../ledger/describe-value.js';
import { MAX_TIMER_MS, MAX_TIMER_TEXT } from '../../ledger/durations.js';
import type { EventStore } from '../../ledger/event-store.js';
import { assertKnownOptions, type EveryKeyListed } from '../../ledger/known-options.js';
import { checkListLimit } from '../../ledger/ledger-rules.js';
import type { SearchAttributes, WorkflowShape } from '../../ledger/observe.js';
import { checkRunFilters, unknownCursor } from '../../ledger/observe-rules.js';
import { readOnlyView } from '../../ledger/read-only-store.js';
import type { StateStore } from '../../ledger/store.js';
import type {
  AuxKind,
  AuxQuery,
  AuxRecord,
  ClaimRequest,
  CommitOutcome,
  CreateRunResult,
  JournalEntry,
  NewRun,
  RunQuery,
  RunRecord,
  RunWrite,
  VersionRecord,
} from '../../ledger/types.js';
import { listRunsQuery } from '../sql/list-runs-sql.js';
import { fatalStoreError, stoppingOnFatal } from './fatal-errors.js';
import { type Db, openLedger, type ResolvedSqliteOptions } from './open.js';
import { checkPath, DEFAULT_FILE_MODE } from './open-file.js';
import { type OpenLedger, prepare } from './open-ledger.js';
import { SqliteChangeFeed } from './sqlite-changes.js';
import { runLocked } from './sqlite-commit.js';
import { createSqliteEventStore } from './sqlite-event-store.js';
import { createSqliteGovernanceStore } from './sqlite-governance-store.js';
import { createSqliteQuotaStore } from './sqlite-quotas.js';
import {
  type Param,
  type RecordRow,
  type RunRow,
  toAuxRecord,
  toJournalEntry,
  toRunRecord,
  toVersionRecord,
} from './sqlite-rows.js';
import { queryRecordsSql } from './statements.js';
import { WalSyncer } from './wal-sync.js';

/** Options of `sqliteStore`. */
export interface SqliteStoreOptions {
  /**
   * `FULL` (default): every commit is fsynced before it returns, so a committed version survives
   * power loss. `NORMAL`: in WAL mode commits stay atomic and survive a process crash, but the
   * last commits before a power loss or OS crash may be lost; much faster on slow disks.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /**
   * With `synchronous: 'FULL'`, where the fsync runs. `'background'` (default): commits write
   * the WAL and each write resolves after a shared fsync of it on libuv's thread pool, so agents
   * keep running while the disk syncs (a commit is visible to other readers a moment before it
   * is durable; its writer resumes only once it is). `'inline'`: SQLite fsyncs inside COMMIT,
   * blocking the event loop. Ignored for `':memory:'`.
   */
  readonly fsync?: 'background' | 'inline';
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * The permission mode of a file this store creates (default 0o600: owner only; its `-wal`
   * and `-shm` files get the same). An existing file keeps its mode.
   */
  readonly fileMode?: number;
  /**
   * Open an existing store for reading only (default false): the file is opened read-only and
   * never created or migrated; `migrate()` refuses a file that is not a Baton store of this
   * code's schema (`NotABatonStoreError`, `StoreSchemaOutdatedError`, ...), and every write
   * throws `StoreReadOnlyError`. SQLite may create the `-wal`/`-shm` files it needs to read a
   * WAL database; a process that is not the file's owner is refused rather than create them.
   */
  readonly readOnly?: boolean;
}

/** Every option `sqliteStore` knows (others are refused); a new option is added here too. */
export const SQLITE_OPTION_KEYS = [
  'synchronous',
  'fsync',
  'busyTimeoutMs',
  'fileMode',
  'readOnly',
] as const satisfies readonly (keyof SqliteStoreOptions)[];

// Fails to compile, naming the option, when SqliteStoreOptions gains a key not listed above.
const everyOptionListed: EveryKeyListed<SqliteStoreOptions, typeof SQLITE_OPTION_KEYS> = true;
void everyOptionListed;

/**
 * Validates `sqliteStore` options and fills defaults.
 * @throws InvalidArgumentError naming the bad value.
 */
export function resolveSqliteStoreOptions(options: SqliteStoreOptions = {}): ResolvedSqliteOptions {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('sqliteStore options must be an object', 'options');
  assertKnownOptions(options, SQLITE_OPTION_KEYS, 'sqliteStore');
  const synchronous = options.synchronous ?? 'FULL';
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new InvalidArgumentError(
      `synchronous must be 'FULL' or 'NORMAL', got ${JSON.stringify(synchronous)}`,
      'synchronous',
    );
  }
  const fsync = options.fsync ?? 'background';
  if (fsync !== 'background' && fsync !== 'inline') {
    throw new InvalidArgumentError(
      `fsync must be 'background' or 'inline', got ${JSON.stringify(fsync)}`,
      'fsync',
    );
  }
  if (options.fsync !== undefined && synchronous !== 'FULL') {
    throw new InvalidArgumentError(
      "fsync applies to synchronous: 'FULL' only (NORMAL does not sync commits)",
      'fsync',
    );
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > MAX_TIMER_MS) {
    throw new InvalidArgumentError(
      `busyTimeoutMs must be a non-negative integer ${MAX_TIMER_TEXT}, got ${String(busyTimeoutMs)}`,
      'busyTimeoutMs',
    );
  }
  const fileMode = options.fileMode ?? DEFAULT_FILE_MODE;
  if (!Number.isInteger(fileMode) || fileMode < 0 || fileMode > 0o777) {
    throw new InvalidArgumentError(
      `fileMode must be a permission mode from 0o000 to 0o777, got ${String(fileMode)}`,
      'fileMode',
    );
  }
  const readOnly = options.readOnly ?? false;
  if (typeof readOnly !== 'boolean') {
    throw new InvalidArgumentError(
      `readOnly must be true or false, got ${describeValue(readOnly)}`,
      'readOnly',
    );
  }
  return { synchronous, fsync, busyTimeoutMs, fileMode, readOnly };
}

/**
 * Creates the embedded SQLite ledger at `path` (created if missing; `':memory:'` for a private
 * in-memory database). Does no I/O: call `await store.migrate()` before using it.
 * @throws InvalidArgumentError when the path or an option is invalid.
 * @example
 * const store = sqliteStore('baton.db');
 * await store.migrate();
 */
export function sqliteStore(path: string, options?: SqliteStoreOptions): StateStore {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError(
      `path must be a non-empty string, got ${describeValue(path)}`,
      'path',
    );
  }
  checkPath(path);
  const resolved = resolveSqliteStoreOptions(options);
  if (!resolved.readOnly) return new SqliteStore(path, resolved);
  if (path === ':memory:' || path.startsWith('file:')) {
    throw new InvalidArgumentError(
      `readOnly needs the path of an existing store file, got ${JSON.stringify(path)}`,
      'readOnly',
    );
  }
  return readOnlyView(new SqliteStore(path, resolved), path);
}

/** A store stopped by a damaged file or a full disk: only `close()` still works. */
interface FailedLedger {
  readonly state: 'failed';
  readonly error: StoreCorruptError | StoreFullError;
  readonly db: Db;
  readonly syncer: WalSyncer | undefined;
}

type Lifecycle =
  | { readonly state: 'new' }
  | OpenLedger
  | FailedLedger
  | { readonly state: 'closed' };

class SqliteStore implements StateStore {
  readonly kind = 'sqlite' as const;
  /** Commits run one at a time on the event loop; only the background fsync wait overlaps. */
  readonly commitPipeline: number;
  private life: Lifecycle = { state: 'new' };
  private opening: Promise<void> | undefined;
  // Each stops the store at a damaged file or a full disk, as the run paths do (fatal-errors.ts).
  readonly events: EventStore = stoppingOnFatal(
    createSqliteEventStore(
      () => this.ledger().db,
      () => this.durable(),
    ),
    (e) => this.stopOnFatal(e),
  );
  readonly governance = stoppingOnFatal(
    createSqliteGovernanceStore(
      () => this.ledger().db,
      () => this.durable(),
    ),
    (e) => this.stopOnFatal(e),
  );
  readonly changes = stoppingOnFatal(
    new SqliteChangeFeed(() => this.ledger()),
    (e) => this.stopOnFatal(e),
    ['committed', 'close'],
  );
  readonly quotas = stoppingOnFatal(
    createSqliteQuotaStore(
      () => this.ledger().db,
      (fn) => this.write(fn),
    ),
    (e) => this.stopOnFatal(e),
  );

  constructor(
    private readonly path: string,
    private readonly options: ResolvedSqliteOptions,
  ) {
    this.commitPipeline = this.syncsInBackground() ? 4 : 1;
  }

  migrate(): Promise<void> {
    if (this.life.state === 'closed') return Promise.reject(closedError());
    if (this.life.state === 'open') return Promise.resolve();
    this.opening ??= openLedger(this.path, this.options).then(
      (db) => {
        // close() may have been called while the file was opening: honour it.
        if (this.life.state === 'closed') db.close();
        else
          this.life = prepare(
            db,
            this.syncsInBackground() ? new WalSyncer(`${this.path}-wal`) : undefined,
          );
      },
      (e: unknown) => {
        this.opening = undefined;
        throw e;
      },
    );
    return this.opening;
  }

  async close(): Promise<void> {
    const life = this.life;
    this.life = { state: 'closed' };
    this.changes.close();
    if (life.state !== 'open' && life.state !== 'failed') return;
    // Everything committed so far is made durable before the file is closed.
    await life.syncer?.sync().catch(() => undefined);
    life.syncer?.close();
    try {
      life.db.close();
    } catch (e) {
      // A failed store closes as far as the driver can; its error was reported already.
      if (life.state === 'open') throw e;
    }
  }

  /**
   * Runs one write transaction and resolves once it is durable: at once when SQLite syncs
   * inline, after the shared background fsync otherwise.
   * @throws the store's domain errors (a lock held too long is StoreUnavailableError).
   */
  private async write<T>(fn: (l: OpenLedger) => T): Promise<T> {
    const l = this.ledger();
    let result: T;
    try {
      result = runLocked(() => fn(l));
      await l.syncer?.sync();
    } catch (e) {
      throw this.stopOnFatal(e);
    }
    this.changes.committed();
    return result;
  }

  /** Runs a read; a damaged file stops the store (see `stopOnFatal`). */
  private read<T>(fn: (l: OpenLedger) => T): T {
    const l = this.ledger();
    try {
      return fn(l);
    } catch (e) {
      throw this.stopOnFatal(e);
    }
  }

  /**
   * The error to throw for `e`. A damaged file or a full disk (fatal-errors.ts) stops the store:
   * this call and every later one but `close()` fail with the same typed error naming the file.
   */
  private stopOnFatal(e: unknown): unknown {
    const fatal = fatalStoreError(this.path, e);
    if (!fatal) return e;
    const life = this.life;
    if (life.state === 'open') {
      this.life = { state: 'failed', error: fatal, db: life.db, syncer: life.syncer };
    }
    return this.life.state === 'failed' ? this.life.error : fatal;
  }

  /** Resolves once every commit made so far is on disk (at once when commits sync inline). */
  private durable(): Promise<void> | undefined {
    return this.life.state === 'open' ? this.life.syncer?.sync() : undefined;
  }

  private syncsInBackground(): boolean {
    const { synchronous, fsync, readOnly } = this.options;
    if (readOnly) return false;
    return synchronous === 'FULL' && fsync === 'background' && !isMemoryPath(this.path);
  }

  toJSON(): { kind: 'sqlite'; path: string; state: Lifecycle['state'] } {
    return { kind: this.kind, path: this.path, state: this.life.state };
  }

  createRun(init: NewRun): Promise<CreateRunResult> {
    return this.write((l) => l.createRun(init));
  }

  createRuns(inits: readonly NewRun[]): Promise<(CreateRunResult | Error)[]> {
    return this.write((l) => l.createRuns(inits));
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const row = this.read((l) => l.s.getRun.get(runId));
    return row ? toRunRecord(row) : undefined;
  }

  async listRuns(query: RunQuery): Promise<RunRecord[]> {
    return this.read((l) => this.listRunsOn(l, query));
  }

  private listRunsOn(l: OpenLedger, query: RunQuery): RunRecord[] {
    const limit = checkListLimit(query.limit);
    checkRunFilters(query);
    let cursor: { createdAt: number; runId: string } | undefined;
    if (query.cursor !== undefined) {
      const row = l.s.getRun.get(query.cursor);
      if (!row) throw unknownCursor(query.cursor);
      cursor = { createdAt: Number(row.created_at), runId: row.run_id };
    }
    const q = listRunsQuery(query, cursor, limit, () => '?');
    return l.cache
      .get<RunRow>(q.text)
      .all(...q.values)
      .map(toRunRecord);
  }

  async readAttributes(runId: string): Promise<SearchAttributes> {
    const rows = this.read((l) =>
      l.cache
        .get<{ key: string; value: string }>(
          'SELECT key, value FROM run_attributes WHERE run_id = ? ORDER BY key',
        )
        .all(runId),
    );
    return Object.freeze(Object.fromEntries(rows.map((r) => [r.key, r.value])));
  }

  async saveShape(shape: WorkflowShape): Promise<void> {
    await this.write((l) =>
      l.cache
        .get(
          `INSERT INTO workflow_shapes (name, version, shape, registered_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (name, version) DO UPDATE SET shape = excluded.shape,
             registered_at = excluded.registered_at`,
        )
        .run(shape.name, shape.version, JSON.stringify(shape), shape.registeredAt),
    );
  }

  async readShapes(name?: string): Promise<WorkflowShape[]> {
    const rows = this.read((l) =>
      l.cache
        .get<{ shape: string }>(
          `SELECT shape FROM workflow_shapes WHERE (? IS NULL OR name = ?) ORDER BY name, version`,
        )
        .all(name ?? null, name ?? null),
    );
    return rows.map((r) => JSON.parse(r.shape) as WorkflowShape);
  }

  commit(writes: readonly RunWrite[]): Promise<CommitOutcome[]> {
    return this.write((l) => l.commit(writes));
  }

  async readVersions(
    runId: string,
    from = 1,
    to = Number.MAX_SAFE_INTEGER,
  ): Promise<VersionRecord[]> {
    return this.read((l) => l.s.readVersions.all(runId, from, to)).map(toVersionRecord);
  }

  async readJournal(runId: string): Promise<JournalEntry[]> {
    return this.read((l) => l.s.readJournal.all(runId)).map(toJournalEntry);
  }

  claimRuns(req: ClaimRequest): Promise<RunRecord[]> {
    return this.write((l) => l.claim(req));
  }

  async renewLeases(
    owner: string,
    runIds: readonly string[],
    expiresAt: number,
  ): Promise<string[]> {
    return this.write((l) => l.renew(owner, runIds, expiresAt));
  }

  async appendRecords(records: readonly AuxRecord[]): Promise<void> {
    // Nothing to write: only check that the store is open (no transaction, no fsync).
    if (records.length === 0) this.ledger();
    else await this.write((l) => l.append(records));
  }

  async queryRecords(q: AuxQuery): Promise<AuxRecord[]> {
    return this.read((l) => this.queryRecordsOn(l, q));
  }

  private queryRecordsOn(l: OpenLedger, q: AuxQuery): AuxRecord[] {
    const limit = checkListLimit(q.limit);
    const params: Param[] = [q.kind];
    if (q.key !== undefined) params.push(q.key);
    if (q.runId !== undefined) params.push(q.runId);
    params.push(limit ?? -1);
    const sql = queryRecordsSql(q.key !== undefined, q.runId !== undefined, q.newestFirst === true);
    return l.cache
      .get<RecordRow>(sql)
      .all(...params)
      .map(toAuxRecord);
  }

  async deleteRun(runId: string): Promise<boolean> {
    return this.write((l) =>
      l.db.transaction(() => {
        for (const table of ['versions', 'journal', 'run_attributes'])
          l.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId);
        l.db
          .prepare("DELETE FROM records WHERE run_id = ? AND kind NOT IN ('audit', 'tombstone')")
          .run(runId);
        return l.db.prepare('DELETE FROM runs WHERE run_id = ?').run(runId).changes > 0;
      })(),
    );
  }

  async pruneRecords(kind: AuxKind, before: number): Promise<number> {
    return this.write((l) => l.s.prune.run(kind, before).changes);
  }

  private ledger(): OpenLedger {
    if (this.life.state === 'open') return this.life;
    if (this.life.state === 'closed') throw closedError();
    if (this.life.state === 'failed') throw this.life.error;
    throw new InvalidArgumentError(
      `the SQLite store at ${this.path} is not open: call await store.migrate() before using it`,
      'store',
    );
  }
}

function closedError(): StoreClosedError {
  return new StoreClosedError('store');
}

/** An in-memory database or a URI filename: no WAL file of its own to sync. */
function isMemoryPath(path: string): boolean {
  return path === ':memory:' || path.startsWith('file:');
}
