/**
 * The raw limit: better-sqlite3 alone inserting the rows Baton writes for one run of the
 * workload, on Baton's own schema (src/ledger/migrations.ts), WAL and synchronous=FULL, with one
 * transaction per run or many runs per transaction. It says how many runs/s the disk and SQLite
 * allow, so Baton's durable figure can be read as a fraction of it.
 *
 * Invariants:
 * - Rows and writes are Baton's for one run of the io workload: a run row inserted running and
 *   updated by each of its three step commits (the last sets status and output), 6 version rows
 *   (input + 5 steps) whose payload is the canonical JSON of the real step outputs and whose
 *   hashes are 64-hex strings, and JOURNAL_PER_RUN journal rows.
 * - Hashing and encoding are not timed: payloads come from a pre-encoded pool and hashes from a
 *   pool of random hex strings, so the figure is storage cost only.
 * - After the timed loop the row counts are checked, so the figure cannot come from lost writes.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { canonicalJson } from '../src/ledger/json.js';
import { MIGRATIONS, MIGRATIONS_TABLE_DDL } from '../src/ledger/migrations.js';
import {
  computeDecision,
  computeFraud,
  computeIncome,
  computeRisk,
  computeScore,
  generateApplications,
} from './workload.js';

/**
 * Journal rows Baton writes per run of the io workload (counted in its file): run.started,
 * step.succeeded per step, run.completed, and step.started for the two steps whose start is
 * committed before they end (a step that starts and ends between two commits is journaled once).
 */
export const JOURNAL_PER_RUN = 9;

/** Steps whose `step.started` row Baton commits in the io workload (see JOURNAL_PER_RUN). */
export const STARTED_ROWS = new Set(['risk', 'decision']);

/** Heads after each of Baton's step commits in the io workload (the last completes the run). */
export const HEAD_UPDATES = [4, 5, 6] as const;

/** Version rows per run: the input and one per step. */
export const VERSIONS_PER_RUN = 6;

export const STEPS = ['score', 'income', 'fraud', 'risk', 'decision'] as const;
export const AGENTS = [
  'credit-score@1.0.0',
  'income-verification@1.0.0',
  'fraud-detection@1.0.0',
  'risk-assessment@1.0.0',
  'final-approval@1.0.0',
];
export const CONTRACTS = [
  'bench.score@1',
  'bench.income@1',
  'bench.fraud@1',
  'bench.risk@1',
  'bench.decision@1',
];
export const POOL = 1024;

/** What a raw line measures. */
export interface RawOptions {
  readonly dbPath: string;
  readonly runs: number;
  /** Runs per transaction: 1 for one transaction per run. */
  readonly batch: number;
  readonly seed: number;
  /** Stop starting transactions after this many ms (null: write all `runs`). */
  readonly budgetMs: number | null;
}

/** Result of a raw line. */
export interface RawResult {
  /** Runs written: `runs`, or fewer when the budget ran out (whole batches only). */
  readonly runs: number;
  readonly wallMs: number;
  readonly rowsPerRun: number;
  /** Mean bytes of a version payload (each version row adds two 64-hex hashes and ~80 bytes). */
  readonly payloadBytes: number;
}

/** Pre-encodes the 6 payloads of POOL applications (input + 5 step outputs). */
export function payloadPool(seed: number): string[][] {
  return generateApplications(seed, POOL).map((app) => {
    const score = computeScore(app);
    const income = computeIncome(app);
    const fraud = computeFraud(app);
    const risk = computeRisk({ score, income });
    const decision = computeDecision({ applicationId: app.id, risk, fraud });
    return [app, score, income, fraud, risk, decision].map((v) => canonicalJson(v));
  });
}

/**
 * Inserts `runs` runs' rows (or as many as the budget allows), `batch` runs per transaction,
 * and checks the counts.
 * @throws RangeError for a bad runs or batch; Error when rows are missing afterwards.
 */
export function runRawSqlite(options: RawOptions): RawResult {
  const { runs, batch } = options;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be >= 1, got ${runs}`);
  if (!Number.isInteger(batch) || batch < 1)
    throw new RangeError(`batch must be >= 1, got ${batch}`);
  const db = new Database(options.dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(MIGRATIONS_TABLE_DDL.sqlite);
  for (const m of MIGRATIONS) for (const sql of m.sqlite) db.exec(sql);

  const insertRun = db.prepare(
    'INSERT INTO runs (run_id, workflow, workflow_version, status, head_version, idempotency_key, created_at, updated_at, output, error, waiting_for, lease_owner, lease_expires_at, parent_run_id, parent_version) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, NULL, ?, ?, NULL, NULL)',
  );
  const insertVersion = db.prepare(
    'INSERT INTO versions (run_id, version, step, kind, payload, created_by, input_version, contract, tag, created_at, trace_id, hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)',
  );
  const insertJournal = db.prepare(
    'INSERT INTO journal (run_id, type, step, attempt, at, duration_ms, input_version, version, error, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)',
  );
  const setHead = db.prepare('UPDATE runs SET head_version = ?, updated_at = ? WHERE run_id = ?');
  const complete = db.prepare(
    "UPDATE runs SET head_version = ?, updated_at = ?, status = 'completed', output = ?, lease_owner = NULL, lease_expires_at = NULL WHERE run_id = ?",
  );
  const payloads = payloadPool(options.seed);
  const hashes = Array.from({ length: POOL }, () => randomBytes(32).toString('hex'));
  const genesis = '0'.repeat(64);

  const writeRun = (i: number, now: number): void => {
    const runId = `run-${String(i).padStart(10, '0')}`;
    const p = payloads[i % POOL]!;
    // As Baton: the run row is inserted running at head 1, then updated by each step commit.
    insertRun.run(runId, 'bench', 1, 'running', 1, now, now, null, 'bench:1', now + 30_000);
    insertJournal.run(runId, 'run.started', null, null, now, null, null, 1);
    let prev = genesis;
    for (let v = 1; v <= VERSIONS_PER_RUN; v++) {
      const hash = hashes[(i * VERSIONS_PER_RUN + v) % POOL]!;
      const step = v === 1 ? 'input' : STEPS[v - 2]!;
      const by = v === 1 ? 'system' : AGENTS[v - 2]!;
      const contract = v === 1 ? 'bench.application@1' : CONTRACTS[v - 2]!;
      const inputVersion = v === 1 ? null : v - 1;
      insertVersion.run(
        runId,
        v,
        step,
        'slot',
        p[v - 1],
        by,
        inputVersion,
        contract,
        now,
        runId,
        hash,
        prev,
      );
      prev = hash;
      if (v > 1) {
        if (STARTED_ROWS.has(step)) {
          insertJournal.run(runId, 'step.started', step, 1, now, null, inputVersion, null);
        }
        insertJournal.run(runId, 'step.succeeded', step, 1, now, 0, inputVersion, v);
      }
    }
    insertJournal.run(runId, 'run.completed', null, null, now, 0, null, VERSIONS_PER_RUN);
    for (const head of HEAD_UPDATES) {
      if (head < VERSIONS_PER_RUN) setHead.run(head, now, runId);
      else complete.run(head, now, p[5], runId);
    }
  };
  const writeBatch = db.transaction((from: number, to: number) => {
    const now = Date.now();
    for (let i = from; i < to; i++) writeRun(i, now);
  });

  let payloadBytes = 0;
  for (const p of payloads) for (const s of p) payloadBytes += Buffer.byteLength(s);
  payloadBytes /= POOL * VERSIONS_PER_RUN;
  const t0 = performance.now();
  const deadline = options.budgetMs === null ? Number.POSITIVE_INFINITY : t0 + options.budgetMs;
  let written = 0;
  // The first batch is always written, so even a spent budget measures something.
  do {
    const to = Math.min(runs, written + batch);
    writeBatch(written, to);
    written = to;
  } while (written < runs && performance.now() <= deadline);
  const wallMs = performance.now() - t0;

  const count = (table: string) =>
    (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const got = {
    runs: count('runs'),
    completed: (
      db
        .prepare("SELECT COUNT(*) AS n FROM runs WHERE status = 'completed' AND head_version = ?")
        .get(VERSIONS_PER_RUN) as { n: number }
    ).n,
    versions: count('versions'),
    journal: count('journal'),
  };
  db.close();
  if (
    got.runs !== written ||
    got.completed !== written ||
    got.versions !== written * VERSIONS_PER_RUN ||
    got.journal !== written * JOURNAL_PER_RUN
  ) {
    throw new Error(`raw sqlite: found ${JSON.stringify(got)} for ${written} runs`);
  }
  return {
    runs: written,
    wallMs,
    rowsPerRun: 1 + VERSIONS_PER_RUN + JOURNAL_PER_RUN,
    payloadBytes,
  };
}
