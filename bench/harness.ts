/**
 * The durable line measured the way a user's own harness would (issue 21): one process runs both
 * libraries, each repetition builds a fresh runtime on a fresh SQLite file and times a pool of 64
 * `start` + `result()` from the first run (cold), then the same pool again on the same runtime
 * (warm). `npm run bench` instead warms up each child and runs one library per process.
 * Comparing the cold and warm figures, and the ratio in each, says how much of the gap between
 * harnesses is first-run cost (empty file growth, JIT, prepared statements, caches) and on which
 * side.
 *
 * Usage: npx tsx bench/harness.ts [--reps 5] [--baton-runs 2000] [--langgraph-runs 300]
 *
 * Invariants:
 * - Every decision, cold and warm, is checked against the oracle; a wrong one fails the bench.
 * - The order of the libraries alternates per repetition, so neither always runs on the warmer
 *   process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBatonImpl } from './baton.js';
import type { BenchImpl, ImplOptions } from './impl.js';
import { createLangGraphImpl } from './langgraph.js';
import { spread } from './report.js';
import { type Decision, generateApplications, runPool, verifyDecisions } from './workload.js';

const IN_FLIGHT = 64;
type Lib = 'baton' | 'langgraph';

function positive(name: string, value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

async function build(lib: Lib, options: ImplOptions): Promise<BenchImpl> {
  return lib === 'baton' ? createBatonImpl(options) : createLangGraphImpl(options);
}

/** Times `runs` decisions through `impl` with 64 in flight; ids start at `offset`. */
async function timedPool(
  impl: BenchImpl,
  label: string,
  seed: number,
  runs: number,
  offset: number,
): Promise<number> {
  const apps = generateApplications(seed, runs);
  const decisions = new Array<Decision | undefined>(runs);
  const t0 = performance.now();
  await runPool(runs, IN_FLIGHT, async (i) => {
    decisions[i] = await impl.run(apps[i]!, offset + i);
  });
  const seconds = (performance.now() - t0) / 1000;
  verifyDecisions(label, apps, decisions);
  return runs / seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reps: { type: 'string' },
      'baton-runs': { type: 'string' },
      'langgraph-runs': { type: 'string' },
    },
  });
  const reps = positive('reps', values.reps, 5);
  const runs: Record<Lib, number> = {
    baton: positive('baton-runs', values['baton-runs'], 2_000),
    langgraph: positive('langgraph-runs', values['langgraph-runs'], 300),
  };
  const figures: Record<Lib, { cold: number[]; warm: number[] }> = {
    baton: { cold: [], warm: [] },
    langgraph: { cold: [], warm: [] },
  };
  console.log(
    `one process, both libraries, fresh runtime and file per repetition, ${IN_FLIGHT} in flight; load ${loadavg()[0]!.toFixed(1)}`,
  );
  for (let rep = 1; rep <= reps; rep++) {
    const order: Lib[] = rep % 2 === 1 ? ['baton', 'langgraph'] : ['langgraph', 'baton'];
    for (const lib of order) {
      const dir = mkdtempSync(join(tmpdir(), 'baton-harness-'));
      try {
        const impl = await build(lib, { mode: 'trivial', dbPath: join(dir, `${lib}.db`) });
        const n = runs[lib];
        const cold = await timedPool(impl, `${lib} cold`, 1000 + rep, n, 0);
        const warm = await timedPool(impl, `${lib} warm`, 2000 + rep, n, n);
        await impl.close();
        impl.verifyStored?.(join(dir, `${lib}.db`), 2 * n);
        figures[lib].cold.push(cold);
        figures[lib].warm.push(warm);
        console.log(
          `  rep ${rep} ${lib.padEnd(9)} cold ${Math.round(cold).toLocaleString('en-US').padStart(6)} runs/s  warm ${Math.round(warm).toLocaleString('en-US').padStart(6)} runs/s`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const med = (xs: number[]) => spread(xs).median;
  const b = { cold: med(figures.baton.cold), warm: med(figures.baton.warm) };
  const l = { cold: med(figures.langgraph.cold), warm: med(figures.langgraph.warm) };
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`\nmedians of ${reps}:`);
  console.log(
    `  Baton      cold ${f(b.cold)} runs/s  warm ${f(b.warm)} runs/s  cold/warm ${(b.cold / b.warm).toFixed(2)}`,
  );
  console.log(
    `  LangGraph  cold ${f(l.cold)} runs/s  warm ${f(l.warm)} runs/s  cold/warm ${(l.cold / l.warm).toFixed(2)}`,
  );
  console.log(
    `  Baton/LangGraph: cold ${(b.cold / l.cold).toFixed(1)}×  warm ${(b.warm / l.warm).toFixed(1)}×`,
  );
}

main().catch((e: unknown) => {
  console.error(`harness bench FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
