/**
 * Creating runs on PostgreSQL: one run with its version 1 (and journal) inside the caller's
 * transaction, idempotent by run id and idempotency key.
 *
 * Invariants:
 * - `INSERT ... ON CONFLICT DO NOTHING` decides which of two concurrent creates wins (the loser
 *   waits for the winner's commit, then reads the winner's row), so exactly one run is created
 *   per id or key whatever the number of processes.
 * - A rejected init writes nothing: the caller runs each init of a batch in its own savepoint.
 */
import type pg from 'pg';
import { InvalidArgumentError, toError } from '../../errors.js';
import { checkAttributes, stampStatus } from '../../ledger/observe-rules.js';
import type { CreateRunResult, NewRun, RunRecord } from '../../ledger/types.js';
import { isConnectionError } from './driver-errors.js';
import {
  bulkInsert,
  encode,
  JOURNAL_COLUMNS,
  JOURNAL_TYPES,
  journalValues,
  type RunRow,
  toRunRecord,
  VERSION_COLUMNS,
  VERSION_TYPES,
  versionValues,
} from './postgres-rows.js';

const RUN_INSERT_COLUMNS =
  'run_id, workflow, workflow_version, status, head_version, idempotency_key, created_at, ' +
  'updated_at, output, error, waiting_for, lease_owner, lease_expires_at, parent_run_id, ' +
  'parent_version';

/** The run a create collides with: by idempotency key first, then by id. */
async function existing(client: pg.PoolClient, init: NewRun): Promise<RunRecord | undefined> {
  const key = init.run.idempotencyKey;
  if (key !== null && key !== undefined) {
    const byKey = await client.query<RunRow>('SELECT * FROM runs WHERE idempotency_key = $1', [
      key,
    ]);
    if (byKey.rows[0]) return toRunRecord(byKey.rows[0]);
  }
  const byId = await client.query<RunRow>('SELECT * FROM runs WHERE run_id = $1', [init.run.runId]);
  return byId.rows[0] ? toRunRecord(byId.rows[0]) : undefined;
}

/**
 * Creates one run inside the caller's transaction, or returns the run it collides with.
 * @throws InvalidArgumentError when the first version is not version 1 of the run (and no run
 * with that id or key exists).
 */
export async function insertNewRun(client: pg.PoolClient, init: NewRun): Promise<CreateRunResult> {
  const first = init.firstVersion;
  if (first.version !== 1 || first.runId !== init.run.runId) {
    const found = await existing(client, init);
    if (found) return { run: found, created: false };
    throw new InvalidArgumentError(
      'the first version of a run must be version 1 of that run',
      'firstVersion',
    );
  }
  const r = init.run;
  const attributes = init.attributes ? Object.entries(checkAttributes(init.attributes)) : [];
  const inserted = await client.query(
    `INSERT INTO runs (${RUN_INSERT_COLUMNS})
     VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT DO NOTHING`,
    [
      r.runId,
      r.workflow,
      r.workflowVersion,
      r.status,
      r.idempotencyKey ?? null,
      r.createdAt,
      r.updatedAt,
      encode(r.output),
      encode(r.error),
      r.waitingFor ?? null,
      r.leaseOwner ?? null,
      r.leaseExpiresAt ?? null,
      r.parentRunId ?? null,
      r.parentVersion ?? null,
    ],
  );
  if (inserted.rowCount === 0) {
    const found = await existing(client, init);
    if (!found) throw new Error(`run ${r.runId} conflicted but cannot be read back`);
    return { run: found, created: false };
  }
  const v = bulkInsert('versions', VERSION_COLUMNS, VERSION_TYPES, [versionValues(first)]);
  await client.query(v.text, v.values);
  if (attributes.length > 0) {
    await client.query(
      `INSERT INTO run_attributes (run_id, key, value, created_at)
       SELECT $1, k, v, $4 FROM unnest($2::text[], $3::text[]) AS u(k, v)`,
      [r.runId, attributes.map(([k]) => k), attributes.map(([, v]) => v), r.createdAt],
    );
  }
  if (init.journal?.length) {
    const rows = stampStatus(init.journal, r.status).map((j) => journalValues(j));
    const j = bulkInsert('journal', JOURNAL_COLUMNS, JOURNAL_TYPES, rows);
    await client.query(j.text, j.values);
  }
  return { run: Object.freeze({ ...r, headVersion: 1 }), created: true };
}

/** Creates many runs in the caller's transaction, each in its own savepoint. */
export async function insertNewRuns(
  client: pg.PoolClient,
  inits: readonly NewRun[],
): Promise<(CreateRunResult | Error)[]> {
  const out: (CreateRunResult | Error)[] = [];
  for (const init of inits) {
    await client.query('SAVEPOINT baton_create');
    try {
      out.push(await insertNewRun(client, init));
      await client.query('RELEASE SAVEPOINT baton_create');
    } catch (e) {
      if (isConnectionError(e)) throw e;
      await client.query('ROLLBACK TO SAVEPOINT baton_create');
      out.push(toError(e));
    }
  }
  return out;
}
