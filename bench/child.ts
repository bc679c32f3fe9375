/**
 * One measurement in its own process (so peak RSS belongs to one implementation on one line):
 * `node <transpiled>/bench/child.js '<ChildSpec JSON>'` (see bench/build.ts; `tsx
 * bench/child.ts` works too, with the loader's memory on top). Prints one `RESULT_MARKER` line with a
 * `ChildResult`; exits non-zero, loudly, when any decision differs from the oracle or a durable
 * file lacks rows.
 *
 * Invariants:
 * - Only the pool of runs is timed; building the implementation, generating applications,
 *   warming up and every check happen outside the timed span.
 * - Every decision of the warm-up and of the timed runs is checked against the oracle.
 * - The temporary directory holding SQLite files is removed whatever happens.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runChildMain } from './child-main.js';
import type { BenchImpl, ImplOptions } from './impl.js';
import { type ChildResult, type ChildSpec, RESULT_MARKER } from './lines.js';
import {
  type Decision,
  generateApplications,
  runPool,
  STEPS_PER_RUN,
  verifyDecisions,
} from './workload.js';

const WARMUP_IN_FLIGHT = 64;

/** Loads only the measured implementation, so no other library's memory counts against it. */
async function loadImpl(spec: ChildSpec, options: ImplOptions): Promise<BenchImpl> {
  if (spec.impl === 'baton') return (await import('./baton.js')).createBatonImpl(options);
  if (spec.impl === 'langgraph')
    return (await import('./langgraph.js')).createLangGraphImpl(options);
  throw new TypeError(`not a workflow implementation: '${spec.impl}'`);
}

async function measureImpl(spec: ChildSpec, dir: string): Promise<ChildResult> {
  const apps = generateApplications(spec.seed, spec.runs);
  const warm = generateApplications(spec.seed + 1, spec.warmup);
  const decisions = new Array<Decision | undefined>(spec.runs);
  const warmDecisions = new Array<Decision | undefined>(spec.warmup);
  const dbPath = spec.store === 'sqlite' ? join(dir, `${spec.impl}.db`) : null;
  const options = { mode: spec.mode, dbPath };
  const impl = await loadImpl(spec, options);
  const baselineRssBytes = process.memoryUsage().rss;

  // Warm-up indices follow the timed ones, so every run has its own id / thread id.
  await runPool(warm.length, Math.min(spec.inFlight, WARMUP_IN_FLIGHT), async (i) => {
    warmDecisions[i] = await impl.run(warm[i]!, spec.runs + i);
  });
  verifyDecisions(`${spec.line}/${spec.impl} warm-up`, warm, warmDecisions);

  const t0 = performance.now();
  const deadline = spec.budgetMs === null ? Number.POSITIVE_INFINITY : t0 + spec.budgetMs;
  const runs = await runPool(
    apps.length,
    spec.inFlight,
    async (i) => {
      decisions[i] = await impl.run(apps[i]!, i);
    },
    () => performance.now() > deadline,
  );
  const wallMs = performance.now() - t0;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  await impl.close();

  const bad = spec.corruptRun === undefined ? undefined : decisions[spec.corruptRun];
  if (bad !== undefined) decisions[spec.corruptRun!] = { ...bad, check: bad.check + 1 };
  verifyDecisions(`${spec.line}/${spec.impl}`, apps.slice(0, runs), decisions.slice(0, runs));
  let checked = `${runs + spec.warmup} decisions equal the oracle`;
  let diskBytesPerRun: number | null = null;
  if (dbPath !== null) {
    if (!impl.verifyStored) throw new Error(`${impl.label}: durable line without a file check`);
    impl.verifyStored(dbPath, runs + spec.warmup);
    checked += `; ${runs + spec.warmup} runs found in the SQLite file`;
    diskBytesPerRun = compactedBytes(dbPath) / (runs + spec.warmup);
  }
  return {
    line: spec.line,
    impl: spec.impl,
    label: impl.label,
    runs,
    wallMs,
    runsPerSec: runs / (wallMs / 1000),
    usPerStep: (wallMs * 1000) / (runs * STEPS_PER_RUN),
    baselineRssBytes,
    peakRssBytes,
    perRunBytes: Math.max(0, peakRssBytes - baselineRssBytes) / Math.min(spec.inFlight, runs),
    checked,
    diskBytesPerRun,
  };
}

/**
 * The file's size once its WAL is folded in and free pages are gone: what the runs cost on disk
 * for good, whatever the checkpoint timing of either library left behind.
 */
function compactedBytes(dbPath: string): number {
  const db = new Database(dbPath);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return statSync(dbPath).size;
}

async function measureRaw(spec: ChildSpec, dir: string): Promise<ChildResult> {
  const { runRawSqlite } = await import('./raw-sqlite.js');
  const baselineRssBytes = process.memoryUsage().rss;
  const r = runRawSqlite({
    dbPath: join(dir, 'raw.db'),
    runs: spec.runs,
    batch: spec.inFlight,
    seed: spec.seed,
    budgetMs: spec.budgetMs,
  });
  return {
    line: spec.line,
    impl: 'raw',
    label: `better-sqlite3 (WAL, synchronous=FULL), ${spec.inFlight} run(s)/tx, ${r.rowsPerRun} rows/run, payload ~${Math.round(r.payloadBytes)} B`,
    runs: r.runs,
    wallMs: r.wallMs,
    runsPerSec: r.runs / (r.wallMs / 1000),
    usPerStep: null,
    baselineRssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    perRunBytes: null,
    checked: `${r.runs} runs' rows counted in the file`,
  };
}

runChildMain<ChildSpec, ChildResult>('bench child', RESULT_MARKER, (spec, dir) =>
  spec.impl === 'raw' ? measureRaw(spec, dir) : measureImpl(spec, dir),
);
