/**
 * Fleet throughput: runs/s of the reference workload (five agents, score/income/fraud in
 * parallel, then risk, then decision) on PostgreSQL with 1, 2 and 4 worker processes, with
 * trivial agents (overhead dominates) and io agents (each awaits 10 ms, like an LLM call).
 * Run: `npx tsx bench/workers.ts` (optionally `--quick`, `--runs N`, `--concurrency N`,
 * `--cases trivial-1,io-4`, `--no-peers`, `--profile`, `--cpu-prof DIR`, `--suite-json`).
 *
 * For each case: a fresh schema, N runs queued first, every worker process started and ready,
 * then all released at once; the clock runs from release until every run is completed (the
 * parent polls the count). Each worker drives up to `concurrency` runs at once. Answers are
 * checked against the oracle afterwards: a wrong or missing decision fails the benchmark.
 *
 * `--profile` also counts, per run, the round trips and statements the workers sent (load
 * independent) and samples what the workers' server backends were doing (pg_stat_activity every
 * 5 ms: active, idle in transaction, waiting on a lock or on WAL). `--cpu-prof DIR` writes a V8
 * CPU profile per worker.
 *
 * Then the raw limit (bench/raw-postgres.ts): `pg` alone writing the same rows per run, 64 runs per
 * transaction, into a schema Baton migrated; Baton's 1-worker figures are printed as a fraction.
 *
 * Then DBOS Transact (bench/dbos.ts) runs the same workflow on the same PostgreSQL in one process
 * with the same runs and concurrency, and the Baton (1 worker) / DBOS ratio is printed per mode.
 *
 * With `--suite-json` the last stdout line is `@@bench-suite {...}` (bench/run.ts's suite
 * contract), `skipped` with the reason when PostgreSQL is unreachable.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postgresStore } from '../src/backends/postgres/index.js';
import { applications } from '../test/orchestrator/fixtures.js';
import {
  dropSchema,
  POSTGRES_URL,
  probePostgres,
  uniqueSchema,
} from '../test/postgres/pg-admin.js';
import {
  checkRuns,
  queueRuns,
  readLedger,
  startWorker,
  untilCount,
} from '../test/workers/harness.js';
import type { WorkerReport } from '../test/workers/worker-process.js';
import { measureDbos } from './dbos.js';
import { runRawPostgres } from './raw-postgres.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    concurrency: { type: 'string' },
    cases: { type: 'string' },
    'no-peers': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'suite-json': { type: 'boolean', default: false },
  },
});
const quick = args.quick === true;
const RUNS = Number(args.runs ?? (quick ? 600 : 2000));
const CONCURRENCY = Number(args.concurrency ?? 32);
const FLEETS = [1, 2, 4] as const;
const MODES = [
  { name: 'trivial', ioMs: 0 },
  { name: 'io', ioMs: 10 },
] as const;
const CASES = args.cases?.split(',').map((s) => s.trim());
const APP_NAME = 'baton-bench-worker';
/** In suite mode only the suite line goes to stdout; the human lines go to stderr. */
const say = (line: string) =>
  args['suite-json'] ? process.stderr.write(`${line}\n`) : console.log(line);

interface Row {
  mode: string;
  workers: number;
  runs: number;
  seconds: number;
  runsPerS: number;
  /** Only with --profile. */
  profile?: Profile;
}

interface Profile {
  roundTripsPerRun: number;
  statementsPerRun: Record<string, number>;
  /** Share of samples per backend state / wait event, over the workers' backends. */
  activity: Record<string, number>;
  samples: number;
}

/** Samples the workers' backends (tagged with APP_NAME) until stopped. */
function sampleActivity(): { stop: () => Promise<{ counts: Record<string, number>; n: number }> } {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  client.on('error', () => {});
  const counts: Record<string, number> = {};
  let n = 0;
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const r = await client.query<{ k: string; c: string }>(
        `SELECT state || COALESCE(' ' || wait_event_type || ':' || wait_event, '') AS k,
                count(*) AS c
         FROM pg_stat_activity WHERE application_name = $1 GROUP BY 1`,
        [APP_NAME],
      );
      n++;
      for (const row of r.rows) counts[row.k] = (counts[row.k] ?? 0) + Number(row.c);
      await new Promise((res) => setTimeout(res, 5));
    }
    await client.end();
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { counts, n };
    },
  };
}

async function measure(mode: (typeof MODES)[number], workers: number): Promise<Row> {
  const schema = uniqueSchema('bench');
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('application_name', APP_NAME);
  try {
    const apps = await queueRuns(schema, applications(RUNS, 5));
    const fleet = await Promise.all(
      Array.from({ length: workers }, (_, i) =>
        startWorker(
          {
            url: url.toString(),
            schema,
            owner: `bench-${i + 1}`,
            concurrency: CONCURRENCY,
            leaseMs: 10_000,
            pollMs: 100,
            ioMs: mode.ioMs,
            record: false,
            report: false,
            gate: true,
            countQueries: args.profile === true,
          },
          args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : [],
        ),
      ),
    );
    const sampler = args.profile ? sampleActivity() : undefined;
    const t0 = performance.now();
    for (const w of fleet) w.child.stdin!.write('go\n');
    await untilCount(
      `SELECT count(*) AS n FROM ${schema}.runs WHERE status = 'completed'`,
      [],
      (n) => n === RUNS,
      300_000,
    );
    const seconds = (performance.now() - t0) / 1000;
    const activity = await sampler?.stop();
    for (const w of fleet) w.child.kill('SIGTERM');
    await Promise.all(fleet.map((w) => w.exited));
    const problems = checkRuns(
      { ...(await readLedger(schema)), executions: [] },
      apps,
    ).problems.filter((p) => !p.includes('never executed'));
    if (problems.length) throw new Error(`wrong results: ${problems.slice(0, 5).join('; ')}`);
    const row: Row = { mode: mode.name, workers, runs: RUNS, seconds, runsPerS: RUNS / seconds };
    if (activity)
      row.profile = profileOf(
        fleet.flatMap((w) => w.reports),
        activity,
      );
    return row;
  } finally {
    await dropSchema(schema);
  }
}

function profileOf(
  reports: readonly WorkerReport[],
  activity: { counts: Record<string, number>; n: number },
): Profile {
  let roundTrips = 0;
  const statements: Record<string, number> = {};
  for (const r of reports) {
    if (r.type !== 'queries') continue;
    roundTrips += r.roundTrips;
    for (const [k, c] of Object.entries(r.statements)) statements[k] = (statements[k] ?? 0) + c;
  }
  const perRun = (c: number) => Math.round((c / RUNS) * 1000) / 1000;
  const total = Object.values(activity.counts).reduce((a, b) => a + b, 0) || 1;
  return {
    roundTripsPerRun: perRun(roundTrips),
    statementsPerRun: Object.fromEntries(
      Object.entries(statements)
        .sort((a, b) => b[1] - a[1])
        .map(([k, c]) => [k, perRun(c)]),
    ),
    activity: Object.fromEntries(
      Object.entries(activity.counts)
        .sort((a, b) => b[1] - a[1])
        .map(([k, c]) => [k, Math.round((c / total) * 1000) / 1000]),
    ),
    samples: activity.n,
  };
}

async function measureRaw(): Promise<number> {
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
    say(
      `\nraw pg, same rows per run, ${RAW_BATCH} runs per transaction: ${raw.runsPerSec.toFixed(0)} runs/s`,
    );
    return raw.runsPerSec;
  } finally {
    await dropSchema(rawSchema);
  }
}

interface SuiteLine {
  id: string;
  title: string;
  impl: string;
  label: string;
  figures: Record<string, number>;
  checked: string;
}

async function main(): Promise<void> {
  if (args['suite-json']) {
    const probe = await probePostgres();
    if (!probe.available) {
      const skipped = `PostgreSQL unreachable at ${new URL(POSTGRES_URL).host}: ${probe.reason}`;
      console.log(
        `@@bench-suite ${JSON.stringify({ suite: 'postgres', lines: [], targets: [], skipped })}`,
      );
      return;
    }
  }
  const load = loadavg()[0]!;
  const rows: Row[] = [];
  for (const mode of MODES) {
    for (const workers of FLEETS) {
      if (CASES && !CASES.includes(`${mode.name}-${workers}`)) continue;
      const row = await measure(mode, workers);
      rows.push(row);
      say(
        `${mode.name.padEnd(8)} ${String(workers).padStart(2)} worker(s) x ${CONCURRENCY}: ` +
          `${row.runsPerS.toFixed(0).padStart(6)} runs/s (${RUNS} runs in ${row.seconds.toFixed(2)} s)`,
      );
      if (row.profile) say(`  profile ${JSON.stringify(row.profile)}`);
    }
  }
  const base = (mode: string) => rows.find((r) => r.mode === mode && r.workers === 1)?.runsPerS;
  say('\nscaling vs 1 worker (linear would be 1x, 2x, 4x):');
  for (const mode of MODES) {
    const b = base(mode.name);
    if (b === undefined) continue;
    const line = rows
      .filter((r) => r.mode === mode.name)
      .map((r) => `${r.workers}w ${(r.runsPerS / b).toFixed(2)}x`)
      .join(', ');
    say(`  ${mode.name.padEnd(8)} ${line}`);
  }
  if (args['no-peers']) return;
  const raw = await measureRaw();
  for (const mode of MODES) {
    const b = base(mode.name);
    if (b === undefined) continue;
    say(
      `  Baton 1 worker, ${mode.name.padEnd(8)} ${((b / raw) * 100).toFixed(0)}% of raw batched (target ≥ 50%)`,
    );
  }
  say(`\nDBOS Transact, same workflow and PostgreSQL, 1 process x ${CONCURRENCY}:`);
  const dbos = await measureDbos({ modes: MODES, runs: RUNS, concurrency: CONCURRENCY });
  for (const d of dbos) {
    const b = base(d.mode);
    say(
      `  ${d.mode.padEnd(8)} ${d.runsPerS.toFixed(0).padStart(6)} runs/s (${RUNS} runs in ` +
        `${d.seconds.toFixed(2)} s)${b === undefined ? '' : `; Baton 1 worker / DBOS = ${(b / d.runsPerS).toFixed(2)}x`}`,
    );
  }
  if (args['suite-json']) printSuite(rows, raw, dbos, load);
}

function printSuite(
  rows: readonly Row[],
  raw: number,
  dbos: readonly { mode: string; runsPerS: number; seconds: number }[],
  load: number,
): void {
  const label = `PostgreSQL ${new URL(POSTGRES_URL).host}, node ${process.version}, load ${load.toFixed(2)}`;
  const lines: SuiteLine[] = rows.map((r) => ({
    id: `pg-${r.mode}-${r.workers}w`,
    title: `PostgreSQL, ${r.mode} agents, ${r.workers} worker process(es) x ${CONCURRENCY}`,
    impl: 'baton',
    label: `${label}, ${r.runs} runs`,
    figures: { runsPerSec: Math.round(r.runsPerS), seconds: r.seconds },
    checked: 'every run completed, oracle decision, versions 1..6, hash chain verified',
  }));
  lines.push({
    id: 'pg-raw',
    title: 'PostgreSQL raw batched: pg alone writing the same rows, 64 runs per transaction',
    impl: 'raw',
    label,
    figures: { runsPerSec: Math.round(raw) },
    checked: 'row counts of runs, versions and journal',
  });
  for (const d of dbos)
    lines.push({
      id: `pg-dbos-${d.mode}`,
      title: `DBOS Transact, ${d.mode} agents, 1 process x ${CONCURRENCY}`,
      impl: 'dbos',
      label,
      figures: { runsPerSec: Math.round(d.runsPerS), seconds: d.seconds },
      checked: 'every decision against the oracle',
    });
  const targets: { target: string; measured: string; met: boolean }[] = [];
  for (const mode of MODES) {
    const one = rows.find((r) => r.mode === mode.name && r.workers === 1);
    const four = rows.find((r) => r.mode === mode.name && r.workers === 4);
    const d = dbos.find((x) => x.mode === mode.name);
    if (!one) continue;
    const ofRaw = one.runsPerS / raw;
    targets.push({
      target: `PostgreSQL 1 worker ${mode.name} ≥ 50% of raw batched`,
      measured: `${(ofRaw * 100).toFixed(0)}% (${one.runsPerS.toFixed(0)} / ${raw.toFixed(0)} runs/s)`,
      met: ofRaw >= 0.5,
    });
    if (d) {
      const x = one.runsPerS / d.runsPerS;
      targets.push({
        target: `PostgreSQL 1 worker ${mode.name} ≥ 5x DBOS`,
        measured: `${x.toFixed(2)}x (${one.runsPerS.toFixed(0)} / ${d.runsPerS.toFixed(0)} runs/s)`,
        met: x >= 5,
      });
    }
    if (four)
      targets.push({
        target: `PostgreSQL 4 workers vs 1, ${mode.name} (reported)`,
        measured: `${(four.runsPerS / one.runsPerS).toFixed(2)}x`,
        met: true,
      });
  }
  console.log(`@@bench-suite ${JSON.stringify({ suite: 'postgres', lines, targets })}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
