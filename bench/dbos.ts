/**
 * DBOS Transact (`@dbos-inc/dbos-sdk`) running the reference workload on the same PostgreSQL as
 * bench/workers.ts, for the side-by-side figure of issue 9. Run alone: `npx tsx bench/dbos.ts`
 * (optionally `--runs N`, `--concurrency N`); bench/workers.ts calls `measureDbos` after its rows.
 *
 * The workflow is the reference one with the fixture's own step functions: score, income and
 * fraud as three `DBOS.runStep` in parallel, then risk, then decision, each step awaiting `ioMs`
 * first like the Baton io agents. One process (DBOS is a process-wide singleton), `concurrency`
 * workflows in flight, each started with `DBOS.startWorkflow` and awaited through its handle; the
 * clock runs from the first start to the last result, after `DBOS.launch` (as Baton's clock starts
 * after its workers are ready). Every decision is checked against the oracle; any mismatch throws.
 *
 * Invariants: the system database is unique to the call (`baton_dbos_bench_<pid>_<random>`),
 * created by `DBOS.launch` and dropped afterwards even on failure; DBOS is shut down and its
 * registry cleared before returning, so the function can run again in the same process.
 */

import { performance } from 'node:perf_hooks';
import { DBOS } from '@dbos-inc/dbos-sdk';
import {
  type App,
  applications,
  type DecisionOut,
  flaggedOf,
  oracle,
  outcomeOf,
  ratingOf,
  scoreOf,
  verifiedOf,
} from '../test/orchestrator/fixtures.js';
import { adminQuery, POSTGRES_URL } from '../test/postgres/pg-admin.js';

/** One workload flavour: trivial agents (ioMs 0) or io agents (each awaits ioMs). */
export interface DbosMode {
  readonly name: string;
  readonly ioMs: number;
}

/** What one mode measured. */
export interface DbosRow {
  readonly mode: string;
  readonly runs: number;
  readonly seconds: number;
  readonly runsPerS: number;
}

/** The same server and credentials as the tests, another database. */
function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Drops the bench database once DBOS's last connections are gone: shutdown resolves before its
 * LISTEN connection has closed, and forcing it closed would make DBOS log pool errors. Forced
 * after 5 s so the database never outlives the run.
 */
async function dropDatabase(name: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const [row] = await adminQuery<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1',
      [name],
    );
    if (row?.n === '0') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * Runs `runs` workflows per mode on DBOS, `concurrency` at a time, and returns runs/s per mode.
 * @throws Error when a decision differs from the oracle's (the figure would be meaningless).
 */
export async function measureDbos(opts: {
  readonly modes: readonly DbosMode[];
  readonly runs: number;
  readonly concurrency: number;
}): Promise<DbosRow[]> {
  const database = `baton_dbos_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const pause = (ms: number) =>
    ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve();
  // The step functions are the fixture's; only the awaited io stands in for the LLM call.
  const step = <T>(name: string, ioMs: number, work: () => T) =>
    DBOS.runStep(
      async () => {
        await pause(ioMs);
        return work();
      },
      { name },
    );
  const reference = DBOS.registerWorkflow(
    async (a: App, ioMs: number): Promise<DecisionOut> => {
      const [score, verified, flagged] = await Promise.all([
        step('score', ioMs, () => scoreOf(a)),
        step('income', ioMs, () => verifiedOf(a)),
        step('fraud', ioMs, () => flaggedOf(a)),
      ]);
      const rating = await step('risk', ioMs, () => ratingOf(score, verified, a.debt));
      return step('decision', ioMs, () => ({ outcome: outcomeOf(rating, flagged) }));
    },
    { name: 'reference' },
  );
  DBOS.setConfig({
    name: 'baton-bench',
    applicationVersion: '1',
    systemDatabaseUrl: databaseUrl(database),
    logLevel: 'warn',
  });
  try {
    await DBOS.launch();
    const rows: DbosRow[] = [];
    for (const mode of opts.modes) {
      const apps = applications(opts.runs, 5);
      const wrong: string[] = [];
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < apps.length; i = next++) {
          const a = apps[i]!;
          const handle = await DBOS.startWorkflow(reference, {
            workflowID: `${mode.name}-${a.id}`,
          })(a, mode.ioMs);
          const got = await handle.getResult();
          if (got.outcome !== oracle(a).outcome) wrong.push(`${a.id}: ${got.outcome}`);
        }
      };
      const t0 = performance.now();
      await Promise.all(Array.from({ length: opts.concurrency }, lane));
      const seconds = (performance.now() - t0) / 1000;
      if (wrong.length) {
        throw new Error(`DBOS ${mode.name}: ${wrong.length} wrong decisions: ${wrong.slice(0, 5)}`);
      }
      rows.push({ mode: mode.name, runs: opts.runs, seconds, runsPerS: opts.runs / seconds });
    }
    return rows;
  } finally {
    await DBOS.shutdown({ deregister: true });
    await dropDatabase(database);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const rows = await measureDbos({
    modes: [
      { name: 'trivial', ioMs: 0 },
      { name: 'io', ioMs: 10 },
    ],
    runs: arg('--runs', 2000),
    concurrency: arg('--concurrency', 32),
  });
  for (const r of rows) {
    console.log(
      `DBOS ${r.mode.padEnd(8)} ${r.runsPerS.toFixed(0).padStart(6)} runs/s (${r.runs} runs in ${r.seconds.toFixed(2)} s)`,
    );
  }
}
