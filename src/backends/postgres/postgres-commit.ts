/**
 * Group commit on PostgreSQL: many runs' writes in one transaction, in a constant number of
 * round trips whatever the batch size.
 *
 * Invariants:
 * - Fast path, one round trip: when every write is fenced (`leaseOwner`) and compare-and-append
 *   (`expectedVersion`) or appends nothing (a lease release: its head is not checked), the batch is judged in memory against the head and lease each run's
 *   first write expects, and sent as ONE statement (an implicit transaction: its reply comes
 *   after COMMIT) that locks the runs in id order, checks that each locked row has exactly that
 *   head and lease owner, and writes only if all of them do. If one does not (or the statement
 *   fails), nothing was written and the batch takes the general path below, which reports each
 *   write's own outcome.
 * - The rows of every run in the batch are locked first (`SELECT ... FOR UPDATE`, in run id
 *   order so two batches never deadlock), then each write is judged by the ledger's `checkWrite`
 *   (ledger/ledger-rules.ts) against the locked head and lease, updated in
 *   memory as earlier writes of the batch apply. A rejected write writes nothing; the others
 *   commit.
 * - Accepted writes are then written by one statement (a bulk INSERT per table and a bulk UPDATE
 *   of runs as data-modifying CTEs): BEGIN + lock, write, COMMIT = three round trips per batch.
 * - If a statement fails anyway (a hand-edited database where `head_version` disagrees with the
 *   versions), the transaction is rolled back and the batch replayed with one SAVEPOINT per
 *   write, so only the offending write fails (a duplicate version becomes VersionConflictError).
 * - A lost connection rolls the whole transaction back on the server: the caller gets a
 *   retryable StoreUnavailableError and may resubmit; compare-and-append makes a resubmitted
 *   write that did commit fail with VersionConflictError instead of applying twice.
 */
import type pg from 'pg';
import { NotFoundError, toError, VersionConflictError } from '../../errors.js';
import { checkWrite } from '../../ledger/ledger-rules.js';
import { stampStatus } from '../../ledger/observe-rules.js';
import type {
  AuxRecord,
  CommitOutcome,
  JournalEntry,
  RunWrite,
  VersionRecord,
} from '../../ledger/types.js';
import { isConnectionError, rollbackUnlessBroken } from './driver-errors.js';
import {
  bulkInsert,
  encode,
  JOURNAL_COLUMNS,
  JOURNAL_TYPES,
  journalValues,
  type Param,
  RECORD_COLUMNS,
  RECORD_TYPES,
  recordValues,
  VERSION_COLUMNS,
  VERSION_TYPES,
  versionValues,
} from './postgres-rows.js';

/** A run's row as locked by the batch, updated as its writes are accepted. */
interface Locked {
  head: number;
  leaseOwner: string | null;
  /** True when the head was not read (fast path, fenced writes appending nothing): kept as is. */
  headUnknown?: boolean;
  /** The accumulated patch, or undefined when the run row needs no update. */
  update?: RunUpdate;
}

interface RunUpdate {
  updatedAt?: number;
  status?: string;
  output?: string | null;
  error?: string | null;
  waitingFor?: string | null;
  lease?: { owner: string | null; expiresAt: number | null };
}

interface Accepted {
  versions: VersionRecord[];
  journal: JournalEntry[];
  records: AuxRecord[];
}

/** Commits `writes` in one transaction on `client`; one outcome per write, in order. */
export async function groupCommit(
  client: pg.PoolClient,
  writes: readonly RunWrite[],
): Promise<CommitOutcome[]> {
  if (writes.length === 0) return [];
  try {
    const fast = await commitAsExpected(client, writes);
    if (fast) return fast;
  } catch (e) {
    if (isConnectionError(e)) throw e;
  }
  try {
    const out = await judgeAndWrite(client, writes, false);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await rollbackUnlessBroken(client, e);
    if (isConnectionError(e)) throw e;
  }
  try {
    const out = await judgeAndWrite(client, writes, true);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await rollbackUnlessBroken(client, e);
    throw e;
  }
}

/**
 * Opens the transaction and locks the batch's run rows, in one round trip (a simple-protocol
 * query of two statements; run ids are sent as escaped literals).
 */
async function lockRuns(
  client: pg.PoolClient,
  writes: readonly RunWrite[],
): Promise<Map<string, Locked>> {
  const ids = [...new Set(writes.map((w) => w.runId))].sort();
  const list = ids.map((id) => client.escapeLiteral(id)).join(', ');
  const results = (await client.query(
    `BEGIN; SELECT run_id, head_version, lease_owner FROM runs
     WHERE run_id = ANY(ARRAY[${list}]::text[]) ORDER BY run_id FOR UPDATE`,
  )) as unknown as pg.QueryResult<{ run_id: string; head_version: number; lease_owner: string }>[];
  const locked = new Map<string, Locked>();
  for (const r of results[1]?.rows ?? [])
    locked.set(r.run_id, { head: r.head_version, leaseOwner: r.lease_owner });
  return locked;
}

async function judgeAndWrite(
  client: pg.PoolClient,
  writes: readonly RunWrite[],
  oneByOne: boolean,
): Promise<CommitOutcome[]> {
  const locked = await lockRuns(client, writes);
  const out: CommitOutcome[] = [];
  const batch: Accepted = { versions: [], journal: [], records: [] };
  for (const w of writes) {
    const run = locked.get(w.runId);
    if (!run) {
      out.push({ ok: false, error: new NotFoundError('run', w.runId) });
      continue;
    }
    const rejected = checkWrite(w, run.head, run.leaseOwner);
    if (rejected) {
      out.push({ ok: false, error: rejected });
      continue;
    }
    if (!oneByOne) {
      out.push(accept(w, run, batch));
      continue;
    }
    // Slow path: this write alone, inside its own savepoint.
    const before = { ...run, update: run.update && { ...run.update } };
    const single: Accepted = { versions: [], journal: [], records: [] };
    const outcome = accept(w, run, single);
    await client.query('SAVEPOINT baton_write');
    try {
      await writeAccepted(client, single, new Map([[w.runId, run]]));
      await client.query('RELEASE SAVEPOINT baton_write');
      run.update = undefined;
      out.push(outcome);
    } catch (e) {
      if (isConnectionError(e)) throw e;
      await client.query('ROLLBACK TO SAVEPOINT baton_write');
      Object.assign(run, before);
      out.push({ ok: false, error: await translateWriteError(client, w, e) });
    }
  }
  if (!oneByOne) await writeAccepted(client, batch, locked);
  return out;
}

/** Records an accepted write into the batch and the run's in-memory row. */
function accept(w: RunWrite, run: Locked, batch: Accepted): CommitOutcome {
  const versions = w.versions ?? [];
  batch.versions.push(...versions);
  if (w.journal) batch.journal.push(...stampStatus(w.journal, w.run?.status));
  if (w.records) batch.records.push(...w.records);
  run.head += versions.length;
  if (versions.length > 0 || w.run) run.update ??= {};
  const p = w.run;
  if (p && run.update) {
    const u = run.update;
    u.updatedAt = p.updatedAt;
    if (p.status !== undefined) u.status = p.status;
    if (p.output !== undefined) u.output = encode(p.output);
    if (p.error !== undefined) u.error = encode(p.error);
    if (p.waitingFor !== undefined) u.waitingFor = p.waitingFor;
    if (p.lease !== undefined) {
      u.lease = { owner: p.lease?.owner ?? null, expiresAt: p.lease?.expiresAt ?? null };
      run.leaseOwner = u.lease.owner;
    }
  }
  return { ok: true, headVersion: run.head };
}

/**
 * The fast path: the batch judged against the state its writes expect, written in one statement
 * guarded by a check of that state on the locked rows. Returns undefined (nothing written) when
 * a write carries no expectation, would be rejected, or the runs are not as expected.
 */
async function commitAsExpected(
  client: pg.PoolClient,
  writes: readonly RunWrite[],
): Promise<CommitOutcome[] | undefined> {
  const expected = new Map<string, { head: number | null; owner: string }>();
  const runs = new Map<string, Locked>();
  for (const w of writes) {
    if (w.leaseOwner === undefined) return undefined;
    const run = runs.get(w.runId);
    // A fenced write that appends nothing (a lease release) needs no head; one that does needs
    // the head its run's first write expects.
    const needsHead = w.expectedVersion !== undefined || (w.versions?.length ?? 0) > 0;
    if (run) {
      if (needsHead && run.headUnknown) return undefined;
      continue;
    }
    const head = w.expectedVersion ?? null;
    if (needsHead && head === null) return undefined;
    expected.set(w.runId, { head, owner: w.leaseOwner });
    runs.set(w.runId, {
      head: head ?? 0,
      leaseOwner: w.leaseOwner,
      ...(head === null ? { headUnknown: true } : {}),
    });
  }
  const out: CommitOutcome[] = [];
  const batch: Accepted = { versions: [], journal: [], records: [] };
  for (const w of writes) {
    const run = runs.get(w.runId)!;
    if (checkWrite(w, run.head, run.leaseOwner)) return undefined;
    out.push(accept(w, run, batch));
  }
  const ids = [...expected.keys()].sort();
  const parts = acceptedParts(batch, runs, 3, '(SELECT ok FROM baton_guard)');
  // Locked by primary key (an index scan whatever the table size), then checked on the locked
  // rows, which are the latest versions once the lock is held.
  const text = `WITH baton_locked AS (
      SELECT run_id, head_version, lease_owner FROM runs
      WHERE run_id = ANY($1::text[]) ORDER BY run_id FOR UPDATE
    ), baton_guard AS (
      SELECT count(*) = ${ids.length} AS ok
      FROM baton_locked AS l
      JOIN unnest($1::text[], $2::int[], $3::text[]) AS e(run_id, head, owner)
        ON l.run_id = e.run_id
      WHERE (e.head IS NULL OR l.head_version = e.head) AND l.lease_owner = e.owner
    )${parts.map((p, i) => `, w${i} AS (${p.text})`).join('')}
    SELECT ok FROM baton_guard`;
  const result = await client.query<{ ok: boolean }>(text, [
    ids,
    ids.map((id) => expected.get(id)!.head),
    ids.map((id) => expected.get(id)!.owner),
    ...parts.flatMap((p) => p.values),
  ]);
  return result.rows[0]?.ok === true ? out : undefined;
}

/**
 * Writes a batch's accepted rows in ONE statement: each table's bulk insert and the runs update
 * are data-modifying CTEs of a single query, so the batch costs one round trip.
 */
async function writeAccepted(
  client: pg.PoolClient,
  batch: Accepted,
  runs: ReadonlyMap<string, Locked>,
): Promise<void> {
  const parts = acceptedParts(batch, runs, 0);
  if (parts.length === 0) return;
  const text =
    parts.length === 1
      ? parts[0]!.text
      : `WITH ${parts.map((p, i) => `w${i} AS (${p.text})`).join(', ')} SELECT 1`;
  await client.query(
    text,
    parts.flatMap((p) => p.values),
  );
}

/**
 * The statements writing a batch's accepted rows (a bulk INSERT per table, one UPDATE of runs),
 * numbered from parameter `first + 1`, each guarded by `guard` when given. Clears the updates.
 */
function acceptedParts(
  batch: Accepted,
  runs: ReadonlyMap<string, Locked>,
  first: number,
  guard?: string,
): { text: string; values: Param[][] }[] {
  const parts: { text: string; values: Param[][] }[] = [];
  const offset = () => parts.reduce((n, p) => n + p.values.length, first);
  if (batch.versions.length > 0) {
    const rows = batch.versions.map(versionValues);
    parts.push(bulkInsert('versions', VERSION_COLUMNS, VERSION_TYPES, rows, offset(), guard));
  }
  if (batch.journal.length > 0) {
    const rows = batch.journal.map(journalValues);
    parts.push(bulkInsert('journal', JOURNAL_COLUMNS, JOURNAL_TYPES, rows, offset(), guard));
  }
  if (batch.records.length > 0) {
    const rows = batch.records.map(recordValues);
    parts.push(bulkInsert('records', RECORD_COLUMNS, RECORD_TYPES, rows, offset(), guard));
  }
  const updates = [...runs].filter(([, r]) => r.update !== undefined);
  if (updates.length > 0) parts.push(updateRuns(updates, offset(), guard));
  for (const [, r] of updates) r.update = undefined;
  return parts;
}

const UPDATE_COLUMNS: readonly [string, string][] = [
  ['run_id', 'text'],
  ['head_version', 'int'],
  ['updated_at', 'bigint'],
  ['set_status', 'bool'],
  ['status', 'text'],
  ['set_output', 'bool'],
  ['output', 'text'],
  ['set_error', 'bool'],
  ['error', 'text'],
  ['set_waiting', 'bool'],
  ['waiting_for', 'text'],
  ['set_lease', 'bool'],
  ['lease_owner', 'text'],
  ['lease_expires_at', 'bigint'],
];

/** One UPDATE of every touched run; each optional field carries a "set it" flag. */
function updateRuns(
  updates: readonly [string, Locked][],
  offset: number,
  guard?: string,
): { text: string; values: Param[][] } {
  const rows: Param[][] = updates.map(([runId, r]) => {
    const u = r.update!;
    return [
      runId,
      r.headUnknown ? null : r.head,
      u.updatedAt ?? null,
      u.status !== undefined,
      u.status ?? null,
      u.output !== undefined,
      u.output ?? null,
      u.error !== undefined,
      u.error ?? null,
      u.waitingFor !== undefined,
      u.waitingFor ?? null,
      u.lease !== undefined,
      u.lease?.owner ?? null,
      u.lease?.expiresAt ?? null,
    ];
  });
  const values = UPDATE_COLUMNS.map((_, col) => rows.map((r) => r[col] ?? null));
  const args = UPDATE_COLUMNS.map(([, t], i) => `$${offset + i + 1}::${t}[]`).join(', ');
  const keep = (flag: string, col: string) =>
    `${col} = CASE WHEN u.${flag} THEN u.${col} ELSE r.${col} END`;
  return {
    text: `UPDATE runs AS r SET
             head_version = COALESCE(u.head_version, r.head_version),
             updated_at = COALESCE(u.updated_at, r.updated_at),
             ${keep('set_status', 'status')},
             ${keep('set_output', 'output')},
             ${keep('set_error', 'error')},
             ${keep('set_waiting', 'waiting_for')},
             ${keep('set_lease', 'lease_owner')},
             ${keep('set_lease', 'lease_expires_at')}
           FROM unnest(${args}) AS u(${UPDATE_COLUMNS.map(([c]) => c).join(', ')})
           WHERE r.run_id = u.run_id${guard ? ` AND ${guard}` : ''}`,
    values,
  };
}

/** Maps a failed statement of one write to the error its caller should see. */
async function translateWriteError(client: pg.PoolClient, w: RunWrite, e: unknown): Promise<Error> {
  const code = (e as { code?: unknown }).code;
  const table = (e as { table?: unknown }).table;
  if (code === '23505' && table === 'versions') {
    // The run row's head lags the versions table: report the version that really exists.
    const r = await client.query<{ v: number | null }>(
      'SELECT MAX(version) AS v FROM versions WHERE run_id = $1',
      [w.runId],
    );
    return new VersionConflictError(w.runId, w.expectedVersion ?? 0, r.rows[0]?.v ?? 0);
  }
  return toError(e);
}
