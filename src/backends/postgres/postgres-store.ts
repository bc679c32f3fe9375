/**
 * The scale-out ledger: PostgreSQL, shared by any number of runtimes and worker processes on any
 * number of machines.
 *
 * Invariants:
 * - Append-only: versions are only ever INSERTed; nothing here updates or deletes a version.
 * - Every write that judges a run (commit) locks the run row first (`FOR UPDATE`), so the
 *   head/lease check and the append are one atomic step; claims use `FOR UPDATE SKIP LOCKED`
 *   and set the lease in the same statement, so two workers never claim one run.
 * - Lifecycle is the same as every backend's: construct (no I/O), `await migrate()` (creates the
 *   pool, the schema and the tables), use, `close()`.
 * - The store keeps no read cache (the versions of runs it just leased are handed once to their
 *   driver: postgres-claims.ts), and never prints its password (`toJSON`, errors).
 */
import type pg from 'pg';
import { InvalidArgumentError, StoreClosedError } from '../../errors.js';
import type { EventStore } from '../../ledger/event-store.js';
import type { GovernanceStore } from '../../ledger/governance-store.js';
import { checkListLimit } from '../../ledger/ledger-rules.js';
import type { SearchAttributes, WorkflowShape } from '../../ledger/observe.js';
import { checkRunFilters, unknownCursor } from '../../ledger/observe-rules.js';
import type { QuotaStore } from '../../ledger/quota-store.js';
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
import {
  createPool,
  describeAddress,
  type PostgresStoreOptions,
  type ResolvedPostgresOptions,
  resolvePostgresStoreOptions,
} from './connect.js';
import { insertNewRun, insertNewRuns } from './create-run.js';
import {
  type DriverPhase,
  isConnectionError,
  rollbackUnlessBroken,
  translateDriverError,
} from './driver-errors.js';
import { checkSchemaReadOnly, migrateSchema } from './migrate.js';
import { PostgresChangeFeed } from './postgres-changes.js';
import { PostgresClaims } from './postgres-claims.js';
import { groupCommit } from './postgres-commit.js';
import { createPostgresEventStore } from './postgres-event-store.js';
import { createPostgresGovernanceStore } from './postgres-governance-store.js';
import { createPostgresQuotaStore } from './postgres-quotas.js';
import {
  bulkInsert,
  type JournalRow,
  RECORD_COLUMNS,
  RECORD_TYPES,
  type RecordRow,
  type RunRow,
  recordValues,
  toAuxRecord,
  toJournalEntry,
  toRunRecord,
  toVersionRecord,
  VERSION_COLUMNS,
  type VersionRow,
} from './postgres-rows.js';

/**
 * Creates the PostgreSQL ledger. Does no I/O: call `await store.migrate()` before using it.
 * @throws InvalidArgumentError when the URL or an option is invalid.
 * @example
 * const store = postgresStore({ connectionString: 'postgres://baton@db:5432/app', poolSize: 20 });
 * await store.migrate();
 */
export function postgresStore(urlOrOptions: string | PostgresStoreOptions): StateStore {
  const options = resolvePostgresStoreOptions(urlOrOptions);
  const store = new PostgresStore(options);
  return options.readOnly ? readOnlyView(store, store.location) : store;
}

type Lifecycle =
  | { readonly state: 'new' }
  | { readonly state: 'open'; readonly pool: pg.Pool }
  | { readonly state: 'closed' };

class PostgresStore implements StateStore {
  readonly kind = 'postgres' as const;
  /**
   * Group commits in flight at once: a third of the pool, at most 4. Each holds one connection
   * and its runs' row locks (taken in run id order, so two batches never deadlock); while one
   * waits for its WAL flush the next is already writing, and concurrent commits share flushes.
   */
  readonly commitPipeline: number;
  private life: Lifecycle = { state: 'new' };
  private opening: Promise<void> | undefined;
  /** Where the store is, for messages (no password). */
  readonly location: string;
  /** The event log, positions and deliveries, in the same schema and pool. */
  readonly events: EventStore;
  readonly governance: GovernanceStore;
  readonly changes: PostgresChangeFeed;
  readonly quotas: QuotaStore;
  private readonly claims = new PostgresClaims((text, values) => this.query(text, values));

  constructor(private readonly options: ResolvedPostgresOptions) {
    this.location = `${describeAddress(options.where)} (schema ${options.schema})`;
    this.commitPipeline = Math.min(4, Math.max(1, Math.floor((options.pool.max ?? 10) / 3)));
    this.events = createPostgresEventStore({
      transaction: (fn) => this.transaction(fn),
      query: (text, values) => this.query(text, values),
      schema: options.schema,
    });
    this.governance = createPostgresGovernanceStore({
      transaction: (fn) => this.transaction(fn),
      query: (text, values) => this.query(text, values),
      schema: options.schema,
    });
    this.quotas = createPostgresQuotaStore({
      transaction: (fn) => this.transaction(fn),
      schema: options.schema,
    });
    this.changes = new PostgresChangeFeed({
      query: (text, values) => this.query(text, values),
      clientConfig: options.pool,
      schema: options.schema,
    });
  }

  migrate(): Promise<void> {
    if (this.life.state === 'closed') return Promise.reject(closedError());
    if (this.life.state === 'open') return Promise.resolve();
    this.opening ??= this.open().catch((e: unknown) => {
      this.opening = undefined;
      throw e;
    });
    return this.opening;
  }

  private async open(): Promise<void> {
    const pool = createPool(this.options);
    try {
      const client = await this.connect(pool);
      try {
        if (this.options.readOnly)
          await checkSchemaReadOnly(client, this.options.schema, this.location);
        else await migrateSchema(client, this.options.schema, this.location);
      } catch (e) {
        client.release(isConnectionError(e));
        throw this.translate(e, 'query');
      }
      client.release();
    } catch (e) {
      await pool.end().catch(() => {});
      throw e;
    }
    // close() may have been called while migrating: honour it.
    if (this.life.state === 'closed') await pool.end();
    else this.life = { state: 'open', pool };
  }

  async close(): Promise<void> {
    const life = this.life;
    this.life = { state: 'closed' };
    this.claims.clear();
    await this.changes.close();
    if (life.state === 'open') await life.pool.end();
  }

  toJSON(): { kind: 'postgres'; location: string; state: Lifecycle['state'] } {
    return { kind: this.kind, location: this.location, state: this.life.state };
  }

  async createRun(init: NewRun): Promise<CreateRunResult> {
    return this.transaction((client) => insertNewRun(client, init));
  }

  /** Creates many runs in one transaction; a rejected init yields its error, the others commit. */
  async createRuns(inits: readonly NewRun[]): Promise<(CreateRunResult | Error)[]> {
    if (inits.length === 0) {
      this.pool();
      return [];
    }
    return this.transaction((client) => insertNewRuns(client, inits));
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const rows = await this.query<RunRow>('SELECT * FROM runs WHERE run_id = $1', [runId]);
    return rows[0] ? toRunRecord(rows[0]) : undefined;
  }

  async listRuns(query: RunQuery): Promise<RunRecord[]> {
    const limit = checkListLimit(query.limit);
    checkRunFilters(query);
    let cursor: { createdAt: number; runId: string } | undefined;
    if (query.cursor !== undefined) {
      const rows = await this.query<RunRow>('SELECT * FROM runs WHERE run_id = $1', [query.cursor]);
      if (!rows[0]) throw unknownCursor(query.cursor);
      cursor = { createdAt: Number(rows[0].created_at), runId: rows[0].run_id };
    }
    const q = listRunsQuery(query, cursor, limit, (n) => `$${n}`);
    const rows = await this.query<RunRow>(q.text, q.values);
    return rows.map(toRunRecord);
  }

  async readAttributes(runId: string): Promise<SearchAttributes> {
    const rows = await this.query<{ key: string; value: string }>(
      'SELECT key, value FROM run_attributes WHERE run_id = $1 ORDER BY key',
      [runId],
    );
    return Object.freeze(Object.fromEntries(rows.map((r) => [r.key, r.value])));
  }

  async saveShape(shape: WorkflowShape): Promise<void> {
    await this.query(
      `INSERT INTO workflow_shapes (name, version, shape, registered_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name, version) DO UPDATE SET shape = excluded.shape,
         registered_at = excluded.registered_at`,
      [shape.name, shape.version, JSON.stringify(shape), shape.registeredAt],
    );
  }

  async readShapes(name?: string): Promise<WorkflowShape[]> {
    const rows = await this.query<{ shape: string }>(
      `SELECT shape FROM workflow_shapes WHERE ($1::text IS NULL OR name = $1)
       ORDER BY name, version`,
      [name ?? null],
    );
    return rows.map((r) => JSON.parse(r.shape) as WorkflowShape);
  }

  async commit(writes: readonly RunWrite[]): Promise<CommitOutcome[]> {
    if (writes.length === 0) {
      this.pool();
      return [];
    }
    this.claims.forget(writes.map((w) => w.runId));
    return this.withClient((client) => groupCommit(client, writes));
  }

  async readVersions(
    runId: string,
    from = 1,
    to = Number.MAX_SAFE_INTEGER,
  ): Promise<VersionRecord[]> {
    if (from === 1 && to === Number.MAX_SAFE_INTEGER) {
      const handed = this.claims.take(runId);
      if (handed) return [...handed];
    }
    const rows = await this.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM versions
       WHERE run_id = $1 AND version >= $2::bigint AND version <= $3::bigint ORDER BY version`,
      [runId, from, to],
    );
    return rows.map(toVersionRecord);
  }

  async readJournal(runId: string): Promise<JournalEntry[]> {
    const rows = await this.query<JournalRow>(
      'SELECT * FROM journal WHERE run_id = $1 ORDER BY seq',
      [runId],
    );
    return rows.map(toJournalEntry);
  }

  async claimRuns(req: ClaimRequest): Promise<RunRecord[]> {
    const limit = checkListLimit(req.limit, 'limit') ?? 0;
    return this.claims.claim(req, limit);
  }

  async renewLeases(
    owner: string,
    runIds: readonly string[],
    expiresAt: number,
  ): Promise<string[]> {
    if (runIds.length === 0) return [];
    const rows = await this.query<{ run_id: string }>(
      `UPDATE runs SET lease_expires_at = $1
       WHERE run_id = ANY($2::text[]) AND lease_owner = $3 RETURNING run_id`,
      [expiresAt, runIds, owner],
    );
    const held = new Set(rows.map((r) => r.run_id));
    return runIds.filter((id) => held.has(id));
  }

  async appendRecords(records: readonly AuxRecord[]): Promise<void> {
    if (records.length === 0) return void this.pool();
    const q = bulkInsert('records', RECORD_COLUMNS, RECORD_TYPES, records.map(recordValues));
    await this.query(q.text, q.values);
  }

  async queryRecords(q: AuxQuery): Promise<AuxRecord[]> {
    const limit = checkListLimit(q.limit);
    const rows = await this.query<RecordRow>(
      `SELECT kind, key, run_id, at, body FROM records
       WHERE kind = $1 AND ($2::text IS NULL OR key = $2) AND ($3::text IS NULL OR run_id = $3)
       ORDER BY id ${q.newestFirst ? 'DESC' : 'ASC'} LIMIT $4`,
      [q.kind, q.key ?? null, q.runId ?? null, limit ?? null],
    );
    return rows.map(toAuxRecord);
  }

  async deleteRun(runId: string): Promise<boolean> {
    this.claims.forget([runId]);
    return this.transaction(async (client) => {
      for (const table of ['versions', 'journal', 'run_attributes'])
        await client.query(`DELETE FROM ${table} WHERE run_id = $1`, [runId]);
      await client.query(
        "DELETE FROM records WHERE run_id = $1 AND kind NOT IN ('audit', 'tombstone')",
        [runId],
      );
      const r = await client.query('DELETE FROM runs WHERE run_id = $1', [runId]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  async pruneRecords(kind: AuxKind, before: number): Promise<number> {
    return this.withClient(async (client) => {
      const r = await client.query('DELETE FROM records WHERE kind = $1 AND at < $2', [
        kind,
        before,
      ]);
      return r.rowCount ?? 0;
    });
  }

  private pool(): pg.Pool {
    if (this.life.state === 'open') return this.life.pool;
    if (this.life.state === 'closed') throw closedError();
    throw new InvalidArgumentError(
      `the PostgreSQL store at ${this.location} is not open: call await store.migrate() before using it`,
      'store',
    );
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    return this.withClient(async (client) => (await client.query<R>(text, values)).rows);
  }

  /** A connection of `pool`; failing here means the store never reached the server. */
  private async connect(pool: pg.Pool): Promise<pg.PoolClient> {
    const started = Date.now();
    try {
      return await pool.connect();
    } catch (e) {
      throw this.translate(e, 'connect', Date.now() - started);
    }
  }

  private translate(e: unknown, phase: DriverPhase, elapsedMs?: number): Error {
    const { where, connectTimeoutMs, queryTimeoutMs } = this.options;
    return translateDriverError(e, where, phase, {
      connectTimeoutMs,
      queryTimeoutMs,
      ...(elapsedMs === undefined ? {} : { elapsedMs }),
    });
  }

  /** Runs `fn` on one connection; a connection that failed is destroyed, not reused. */
  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect(this.pool());
    let broken = false;
    try {
      return await fn(client);
    } catch (e) {
      broken = isConnectionError(e);
      throw this.translate(e, 'query');
    } finally {
      client.release(broken);
    }
  }

  private transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await rollbackUnlessBroken(client, e);
        throw e;
      }
    });
  }
}

function closedError(): StoreClosedError {
  return new StoreClosedError('store');
}
