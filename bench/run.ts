/**
 * The benchmark runner: `tsx bench/run.ts [--quick] [--only <line,...>] [--impl <name,...>]
 * [--reps N] [--seed N] [--cpu-prof]`.
 *
 * Each implementation on each line runs in its own plain `node` child process on transpiled
 * JavaScript (so peak RSS is per line and per implementation, with no loader), interleaved (Baton, LangGraph, Baton, LangGraph, ...) over several
 * repetitions. Prints the side-by-side table and the targets, and writes
 * bench/results/<YYYY-MM-DD>[-quick][-partial].json.
 *
 * Invariants:
 * - Children run one at a time: on a 2-core machine two measurements at once would measure
 *   each other.
 * - A child that fails (a decision differing from the oracle, rows missing from a file, a
 *   crash) stops the whole bench with a non-zero exit: no figure is printed for wrong work.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { transpileForBench } from './build.js';
import {
  type ChildResult,
  type ChildSpec,
  IMPL_NAMES,
  type ImplName,
  LINES,
  type LineDef,
  RESULT_MARKER,
} from './lines.js';
import { machineInfo } from './machine.js';
import {
  checkTargets,
  diskPerRun,
  formatDiskPerRun,
  formatTable,
  formatTargets,
  fractionOfRaw,
  PER_RUN_FORMULA,
  ratio,
  summarise,
  US_PER_STEP_FORMULA,
} from './report.js';
import { positiveInt, runMarked } from './spawn-marked.js';
import { formatSuite, runSuite, SUITES, type SuiteResult } from './suites.js';

const USAGE = `usage: tsx bench/run.ts [options]
  --quick            small run counts, 1 s per measurement, 2 repetitions (about a minute)
  --only <ids>       comma-separated line ids or id prefixes (${LINES.map((l) => l.id).join(', ')})
  --impl <names>     comma-separated: baton, langgraph, raw (e.g. --impl baton for profiling)
  --reps <n>         repetitions per line (default 5, quick 2)
  --seed <n>         seed of the application generator (default 42)
  --cpu-prof         write a V8 CPU profile per child into bench/results/profiles/
  --suites <names>   comma-separated suites to run after the lines (${SUITES.map((s) => s.name).join(', ')}),
                     or 'none'; default: all of them, none when --only or --impl is given
  --help`;

/**
 * Time budget of one child's timed runs: it stops starting runs after this, so a slow
 * implementation (or a loaded machine) cannot stretch the bench; runs/s uses the runs done.
 */
const QUICK_BUDGET_MS = 1_000;
const FULL_BUDGET_MS = 30_000;

interface Plan {
  readonly line: LineDef;
  readonly impls: readonly ImplName[];
}

function plan(only: string | undefined, impl: string | undefined): Plan[] {
  const filters = only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const impls = impl?.split(',').map((s) => s.trim()) as ImplName[] | undefined;
  for (const i of impls ?? []) {
    if (!IMPL_NAMES.includes(i))
      throw new TypeError(`--impl must be one of ${IMPL_NAMES.join(', ')}, got '${i}'`);
  }
  const lines = LINES.filter(
    (l) => !filters || filters.some((f) => l.id === f || l.id.startsWith(f)),
  );
  if (lines.length === 0) throw new TypeError(`--only '${only}' matches no line`);
  return lines
    .map((line) => ({
      line,
      impls: (Object.keys(line.runs) as ImplName[]).filter((i) => !impls || impls.includes(i)),
    }))
    .filter((p) => p.impls.length > 0);
}

async function runChild(
  root: string,
  jsDir: string,
  spec: ChildSpec,
  profileDir: string | null,
  rep: number,
): Promise<ChildResult> {
  const prof = profileDir
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        profileDir,
        '--cpu-prof-name',
        `${spec.line}-${spec.impl}-${rep}.cpuprofile`,
      ]
    : [];
  const args = [...prof, join(jsDir, 'bench', 'child.js'), JSON.stringify(spec)];
  const marked = await runMarked(
    root,
    args,
    RESULT_MARKER,
    `${spec.line}/${spec.impl}`,
    15 * 60_000,
  );
  return JSON.parse(marked.slice(RESULT_MARKER.length)) as ChildResult;
}

function dateStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The suites to run: named ones, 'none', or by default all (none with a line filter). */
function chooseSuites(names: string | undefined, filtered: boolean) {
  if (names === undefined) return filtered ? [] : SUITES;
  if (names.trim() === 'none') return [];
  const wanted = names.split(',').map((s) => s.trim());
  for (const n of wanted) {
    if (!SUITES.some((s) => s.name === n))
      throw new TypeError(
        `--suites must name ${SUITES.map((s) => s.name).join(', ')} or 'none', got '${n}'`,
      );
  }
  return SUITES.filter((s) => wanted.includes(s.name));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      impl: { type: 'string' },
      reps: { type: 'string' },
      seed: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      suites: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const root = fileURLToPath(new URL('..', import.meta.url));
  const quick = values.quick === true;
  const reps = positiveInt('--reps', values.reps, quick ? 2 : 5);
  const seed = positiveInt('--seed', values.seed, 42);
  const plans = plan(values.only, values.impl);
  const suites = chooseSuites(
    values.suites,
    values.only !== undefined || values.impl !== undefined,
  );

  const resultsDir = join(root, 'bench', 'results');
  const profileDir = values['cpu-prof'] ? join(resultsDir, 'profiles') : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const jsDir = transpileForBench(root);
  const machine = machineInfo(root);
  console.log(`${machine.cpu} × ${machine.cores}, Node ${machine.node}, SQLite ${machine.sqlite}`);
  console.log(`${quick ? 'quick' : 'full'} mode, ${reps} repetitions, seed ${seed}\n`);
  const results: ChildResult[] = [];
  const started = Date.now();
  const loadAtStart = loadavg();
  if (loadAtStart[0]! > machine.cores / 2) {
    console.log(
      `warning: load average ${loadAtStart[0]!.toFixed(1)} on ${machine.cores} cores; figures will be noisy\n`,
    );
  }
  for (const { line, impls } of plans) {
    console.log(`${line.id}: ${line.title}`);
    // A memory line's point is one peak, so --quick measures it once.
    const lineReps = quick && line.memory && values.reps === undefined ? 1 : reps;
    for (let rep = 1; rep <= lineReps; rep++) {
      for (const impl of impls) {
        const runs = line.runs[impl]![quick ? 1 : 0];
        const spec: ChildSpec = {
          line: line.id,
          impl,
          mode: line.mode,
          store: line.store,
          inFlight: line.inFlight,
          runs,
          warmup: impl === 'raw' ? 0 : Math.min(200, Math.floor(runs / 10)),
          seed: seed + rep,
          budgetMs: quick ? QUICK_BUDGET_MS : FULL_BUDGET_MS,
        };
        const r = await runChild(root, jsDir, spec, profileDir, rep);
        results.push(r);
        const step = r.usPerStep === null ? '' : `  ${r.usPerStep.toFixed(1)} µs/step`;
        const disk =
          r.diskBytesPerRun == null ? '' : `  ${Math.round(r.diskBytesPerRun)} B/run on disk`;
        console.log(
          `  ${impl.padEnd(9)} rep ${rep}/${lineReps}  ${Math.round(r.runsPerSec).toLocaleString('en-US').padStart(9)} runs/s${step}  peak RSS ${(r.peakRssBytes / 1e6).toFixed(1)} MB${disk}`,
        );
      }
    }
  }

  const suiteResults: SuiteResult[] = [];
  for (const suite of suites) {
    console.log(`suite ${suite.name}: ${suite.what}`);
    suiteResults.push(await runSuite(root, suite, quick));
  }

  const cells = summarise(results);
  const selected = plans.map((p) => p.line);
  const targets = [
    ...checkTargets(cells, diskPerRun(results)),
    ...suiteResults.flatMap((r) => r.targets),
  ];
  console.log(`\n${formatTable(selected, cells)}\n`);
  console.log(`${US_PER_STEP_FORMULA}.\n${PER_RUN_FORMULA}.`);
  console.log(
    'Baton/LG: Baton median runs/s ÷ LangGraph median runs/s; of raw: Baton durable ÷ raw batched.\n',
  );
  for (const r of suiteResults) console.log(`${formatSuite(r)}\n`);
  console.log(`Targets (issue 21):\n${formatTargets(targets)}\n`);
  const disk = diskPerRun(results);
  if (disk.length > 0) console.log(`${formatDiskPerRun(disk)}\n`);

  const partial =
    values.only !== undefined ||
    values.impl !== undefined ||
    suites.length < SUITES.length ||
    suiteResults.some((r) => r.skipped !== undefined);
  const file = join(
    resultsDir,
    `${dateStamp(new Date())}${quick ? '-quick' : ''}${partial ? '-partial' : ''}.json`,
  );
  mkdirSync(resultsDir, { recursive: true });
  const ids = selected.map((l) => l.id);
  const report = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    repetitions: reps,
    seed,
    filters: { only: values.only ?? null, impl: values.impl ?? null },
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
    // Other processes on the machine skew every figure: the load average says how much.
    loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
    machine,
    definitions: { usPerStep: US_PER_STEP_FORMULA, perRun: PER_RUN_FORMULA },
    processes:
      'one plain `node` process per implementation per line per repetition, on src/ and bench/ transpiled to JS (no loader); run one at a time',
    lines: selected,
    summary: cells,
    ratios: Object.fromEntries(ids.map((id) => [id, ratio(cells, id)])),
    fractionOfRawBatched: Object.fromEntries(ids.map((id) => [id, fractionOfRaw(cells, id)])),
    targets,
    diskBytesPerRun: disk,
    suites: suiteResults,
    results,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${file} (${report.elapsedSeconds} s)`);
}

main().catch((e: unknown) => {
  console.error(`\nbench FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
