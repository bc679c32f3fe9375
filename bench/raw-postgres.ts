/**
 * The raw PostgreSQL limit: `pg` alone writing the rows Baton writes for one run of the workload
 * (bench/raw-sqlite.ts describes them) into a schema Baton migrated, many runs per transaction
 * with one multi-row statement per table and per head update (`unnest` of arrays). Baton's
 * PostgreSQL figures read as a fraction of it (issue 21: ≥ 50% with 1 worker).
 *
 * Invariants:
 * - The same rows and updates as the SQLite raw line: a run row inserted running and updated by
 *   three step commits (the last completes it), 6 versions, JOURNAL_PER_RUN journal rows.
 * - Hashing and encoding are not timed (pre-encoded payloads, pooled random hashes).
 * - Row counts are checked afterwards, so the figure cannot come from lost writes.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  AGENTS,
  CONTRACTS,
  HEAD_UPDATES,
  JOURNAL_PER_RUN,
  POOL,
  payloadPool,
  STARTED_ROWS,
  STEPS,
  VERSIONS_PER_RUN,
} from './raw-sqlite.js';

/** What the raw PostgreSQL line measures. */
export interface RawPostgresOptions {
  readonly url: string;
  /** A schema Baton's migrations were applied to (empty runs, versions, journal). */
  readonly schema: string;
  readonly runs: number;
  /** Runs per transaction. */
  readonly batch: number;
  readonly seed: number;
}

/** Columns of one batch, one array per column (what `unnest` takes). */
interface Batch {
  runIds: string[];
  v: { run: string[]; version: number[]; step: string[]; payload: string[]; by: string[] };
  vx: { input: (number | null)[]; contract: string[]; hash: string[]; prev: string[] };
  j: {
    run: string[];
    type: string[];
    step: (string | null)[];
    attempt: (number | null)[];
    inputVersion: (number | null)[];
    version: (number | null)[];
  };
  outputs: string[];
}

function emptyBatch(): Batch {
  return {
    runIds: [],
    v: { run: [], version: [], step: [], payload: [], by: [] },
    vx: { input: [], contract: [], hash: [], prev: [] },
    j: { run: [], type: [], step: [], attempt: [], inputVersion: [], version: [] },
    outputs: [],
  };
}

/** Writes `runs` runs, `batch` per transaction; resolves with runs/s. @throws on missing rows. */
export async function runRawPostgres(o: RawPostgresOptions): Promise<{ runsPerSec: number }> {
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new RangeError(`runs must be >= 1`);
  if (!Number.isInteger(o.batch) || o.batch < 1) throw new RangeError(`batch must be >= 1`);
  const client = new pg.Client({ connectionString: o.url });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${o.schema}`);
    const payloads = payloadPool(o.seed);
    const hashes = Array.from({ length: POOL }, () => randomBytes(32).toString('hex'));
    const genesis = '0'.repeat(64);
    const fill = (from: number, to: number): Batch => {
      const b = emptyBatch();
      for (let i = from; i < to; i++) {
        const runId = `run-${String(i).padStart(10, '0')}`;
        const p = payloads[i % POOL]!;
        b.runIds.push(runId);
        b.outputs.push(p[5]!);
        const journal = (
          type: string,
          step: string | null,
          input: number | null,
          v: number | null,
        ) => {
          b.j.run.push(runId);
          b.j.type.push(type);
          b.j.step.push(step);
          b.j.attempt.push(step === null ? null : 1);
          b.j.inputVersion.push(input);
          b.j.version.push(v);
        };
        journal('run.started', null, null, 1);
        let prev = genesis;
        for (let v = 1; v <= VERSIONS_PER_RUN; v++) {
          const hash = hashes[(i * VERSIONS_PER_RUN + v) % POOL]!;
          const step = v === 1 ? 'input' : STEPS[v - 2]!;
          const input = v === 1 ? null : v - 1;
          b.v.run.push(runId);
          b.v.version.push(v);
          b.v.step.push(step);
          b.v.payload.push(p[v - 1]!);
          b.v.by.push(v === 1 ? 'system' : AGENTS[v - 2]!);
          b.vx.input.push(input);
          b.vx.contract.push(v === 1 ? 'bench.application@1' : CONTRACTS[v - 2]!);
          b.vx.hash.push(hash);
          b.vx.prev.push(prev);
          prev = hash;
          if (v > 1) {
            if (STARTED_ROWS.has(step)) journal('step.started', step, input, null);
            journal('step.succeeded', step, input, v);
          }
        }
        journal('run.completed', null, null, VERSIONS_PER_RUN);
      }
      return b;
    };
    const write = async (b: Batch): Promise<void> => {
      const now = Date.now();
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO runs (run_id, workflow, workflow_version, status, head_version, created_at,
           updated_at, lease_owner, lease_expires_at)
         SELECT r, 'bench', 1, 'running', 1, $2, $2, 'bench:1', $3 FROM unnest($1::text[]) AS r`,
        [b.runIds, now, now + 30_000],
      );
      await client.query(
        `INSERT INTO versions (run_id, version, step, kind, payload, created_by, input_version,
           contract, created_at, trace_id, hash, prev_hash)
         SELECT r, v, s, 'slot', p, c, i, k, $10, r, h, ph
         FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[],
           $7::text[], $8::text[], $9::text[]) AS t(r, v, s, p, c, i, k, h, ph)`,
        [
          b.v.run,
          b.v.version,
          b.v.step,
          b.v.payload,
          b.v.by,
          b.vx.input,
          b.vx.contract,
          b.vx.hash,
          b.vx.prev,
          now,
        ],
      );
      await client.query(
        `INSERT INTO journal (run_id, type, step, attempt, at, duration_ms, input_version, version)
         SELECT r, ty, s, a, $7, 0, i, v
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[])
           AS t(r, ty, s, a, i, v)`,
        [b.j.run, b.j.type, b.j.step, b.j.attempt, b.j.inputVersion, b.j.version, now],
      );
      for (const head of HEAD_UPDATES) {
        if (head < VERSIONS_PER_RUN)
          await client.query(
            'UPDATE runs SET head_version = $2, updated_at = $3 WHERE run_id = ANY($1::text[])',
            [b.runIds, head, now],
          );
        else
          await client.query(
            `UPDATE runs SET head_version = $3, updated_at = $4, status = 'completed', output = t.o,
               lease_owner = NULL, lease_expires_at = NULL
             FROM unnest($1::text[], $2::text[]) AS t(r, o) WHERE run_id = t.r`,
            [b.runIds, b.outputs, head, now],
          );
      }
      await client.query('COMMIT');
    };
    // Batches are built before the clock starts: the figure is the server's, not the encoder's.
    const batches: Batch[] = [];
    for (let from = 0; from < o.runs; from += o.batch)
      batches.push(fill(from, Math.min(o.runs, from + o.batch)));
    const t0 = performance.now();
    for (const b of batches) await write(b);
    const seconds = (performance.now() - t0) / 1000;
    const [counts] = (
      await client.query<{ runs: string; versions: string; journal: string }>(
        `SELECT (SELECT count(*) FROM runs WHERE status = 'completed') AS runs,
                (SELECT count(*) FROM versions) AS versions,
                (SELECT count(*) FROM journal) AS journal`,
      )
    ).rows;
    const got = {
      runs: Number(counts!.runs),
      versions: Number(counts!.versions),
      journal: Number(counts!.journal),
    };
    if (
      got.runs !== o.runs ||
      got.versions !== o.runs * VERSIONS_PER_RUN ||
      got.journal !== o.runs * JOURNAL_PER_RUN
    )
      throw new Error(`raw postgres: found ${JSON.stringify(got)} for ${o.runs} runs`);
    return { runsPerSec: o.runs / seconds };
  } finally {
    await client.end();
  }
}
