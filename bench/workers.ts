/**
 * Fleet throughput: runs/s of the reference workload (five agents, score/income/fraud in
 * parallel, then risk, then decision) on PostgreSQL with 1, 2 and 4 worker processes, with
 * trivial agents (overhead dominates) and io agents (each awaits 10 ms, like an LLM call).
 * Run: `npx tsx bench/workers.ts` (optionally `--quick`, `--runs N`, `--concurrency N`).
 *
 * For each case: a fresh schema, N runs queued first, every worker process started and ready,
 * then all released at once; the clock runs from release until every run is completed (the
 * parent polls the count). Each worker drives up to `concurrency` runs at once. Answers are
 * checked against the oracle afterwards: a wrong or missing decision fails the benchmark.
 *
 * Then the raw limit (bench/raw-postgres.ts): `pg` alone writing the same rows per run, 64 runs per
 * transaction, into a schema Baton migrated; Baton's 1-worker figures are printed as a fraction.
 *
 * Then DBOS Transact (bench/dbos.ts) runs the same workflow on the same PostgreSQL in one process
 * with the same runs and concurrency, and the Baton (1 worker) / DBOS ratio is printed per mode.
 */
import { performance } from 'node:perf_hooks';
import { postgresStore } from '../src/backends/postgres/index.js';
import { applications } from '../test/orchestrator/fixtures.js';
import { dropSchema, POSTGRES_URL, uniqueSchema } from '../test/postgres/pg-admin.js';
import {
  checkRuns,
  queueRuns,
  readLedger,
  startWorker,
  untilCount,
} from '../test/workers/harness.js';
import { measureDbos } from './dbos.js';
import { runRawPostgres } from './raw-postgres.js';

const quick = process.argv.includes('--quick');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('--runs', quick ? 600 : 2000);
const CONCURRENCY = arg('--concurrency', 32);
const FLEETS = [1, 2, 4] as const;
const MODES = [
  { name: 'trivial', ioMs: 0 },
  { name: 'io', ioMs: 10 },
] as const;

interface Row {
  mode: string;
  workers: number;
  runs: number;
  seconds: number;
  runsPerS: number;
}

async function measure(mode: (typeof MODES)[number], workers: number): Promise<Row> {
  const schema = uniqueSchema('bench');
  try {
    const apps = await queueRuns(schema, applications(RUNS, 5));
    const fleet = await Promise.all(
      Array.from({ length: workers }, (_, i) =>
        startWorker({
          schema,
          owner: `bench-${i + 1}`,
          concurrency: CONCURRENCY,
          leaseMs: 10_000,
          pollMs: 100,
          ioMs: mode.ioMs,
          record: false,
          report: false,
          gate: true,
        }),
      ),
    );
    const t0 = performance.now();
    for (const w of fleet) w.child.stdin!.write('go\n');
    await untilCount(
      `SELECT count(*) AS n FROM ${schema}.runs WHERE status = 'completed'`,
      [],
      (n) => n === RUNS,
      300_000,
    );
    const seconds = (performance.now() - t0) / 1000;
    for (const w of fleet) w.child.kill('SIGTERM');
    await Promise.all(fleet.map((w) => w.exited));
    const problems = checkRuns(
      { ...(await readLedger(schema)), executions: [] },
      apps,
    ).problems.filter((p) => !p.includes('never executed'));
    if (problems.length) throw new Error(`wrong results: ${problems.slice(0, 5).join('; ')}`);
    return { mode: mode.name, workers, runs: RUNS, seconds, runsPerS: RUNS / seconds };
  } finally {
    await dropSchema(schema);
  }
}

const rows: Row[] = [];
for (const mode of MODES) {
  for (const workers of FLEETS) {
    const row = await measure(mode, workers);
    rows.push(row);
    console.log(
      `${mode.name.padEnd(8)} ${String(workers).padStart(2)} worker(s) x ${CONCURRENCY}: ` +
        `${row.runsPerS.toFixed(0).padStart(6)} runs/s (${RUNS} runs in ${row.seconds.toFixed(2)} s)`,
    );
  }
}
console.log('\nscaling vs 1 worker (linear would be 1x, 2x, 4x):');
for (const mode of MODES) {
  const base = rows.find((r) => r.mode === mode.name && r.workers === 1)!.runsPerS;
  const line = rows
    .filter((r) => r.mode === mode.name)
    .map((r) => `${r.workers}w ${(r.runsPerS / base).toFixed(2)}x`)
    .join(', ');
  console.log(`  ${mode.name.padEnd(8)} ${line}`);
}
const RAW_BATCH = 64;
const rawSchema = uniqueSchema('rawpg');
try {
  const migrator = postgresStore({ connectionString: POSTGRES_URL, schema: rawSchema });
  await migrator.migrate();
  await migrator.close();
  const raw = await runRawPostgres({
    url: POSTGRES_URL,
    schema: rawSchema,
    runs: RUNS * 5,
    batch: RAW_BATCH,
    seed: 7,
  });
  console.log(
    `\nraw pg, same rows per run, ${RAW_BATCH} runs per transaction: ${raw.runsPerSec.toFixed(0)} runs/s`,
  );
  for (const mode of MODES) {
    const base = rows.find((r) => r.mode === mode.name && r.workers === 1)!.runsPerS;
    console.log(
      `  Baton 1 worker, ${mode.name.padEnd(8)} ${((base / raw.runsPerSec) * 100).toFixed(0)}% of raw batched (target ≥ 50%)`,
    );
  }
} finally {
  await dropSchema(rawSchema);
}

console.log(`\nDBOS Transact, same workflow and PostgreSQL, 1 process x ${CONCURRENCY}:`);
for (const d of await measureDbos({ modes: MODES, runs: RUNS, concurrency: CONCURRENCY })) {
  const base = rows.find((r) => r.mode === d.mode && r.workers === 1)!.runsPerS;
  console.log(
    `  ${d.mode.padEnd(8)} ${d.runsPerS.toFixed(0).padStart(6)} runs/s (${RUNS} runs in ` +
      `${d.seconds.toFixed(2)} s); Baton 1 worker / DBOS = ${(base / d.runsPerS).toFixed(2)}x`,
  );
}
