/**
 * Experiment 2, the cost of immutable, versioned state: µs per step and bytes per run of Baton's
 * append-only, hash-chained versions against a mutable record updated in place under a lock, on
 * SQLite and PostgreSQL, for runs of 10, 100 and 1,000 steps; and the time to read a version
 * from a long history.
 */
import { mdTable } from '../output.js';
import { fmt, type Spread, showSpread, spreadBy } from '../stats.js';
import type { ExperimentContext, ExperimentResult, Figure, ReportSize, Row } from '../types.js';
import { type Backend, postgresBackend, probePostgres, sqliteBackend } from './backends.js';
import { measureLength, measureRead } from './measure.js';

interface Plan {
  readonly lengths: readonly number[];
  /** Runs per length (enough steps for a stable figure). */
  readonly runs: (length: number) => number;
  readonly reps: number;
  readonly postgres: { readonly runs: (length: number) => number; readonly reps: number } | null;
}

const PLANS: Readonly<Record<ReportSize, Plan>> = {
  full: {
    lengths: [10, 100, 1000],
    runs: (l) => Math.max(2, 1000 / l),
    reps: 3,
    postgres: { runs: (l) => Math.max(1, 100 / l), reps: 1 },
  },
  quick: {
    lengths: [10, 100, 1000],
    runs: (l) => Math.max(1, 200 / l),
    reps: 1,
    postgres: { runs: () => 1, reps: 1 },
  },
  test: { lengths: [10], runs: () => 2, reps: 1, postgres: null },
};

const kb = (b: number): string => `${fmt(b / 1000, 1)} kB`;

function figure(points: Row[]): Figure {
  const key = (r: Row): string => `${r.backend}|${r.design}|${r.length}`;
  const usS = spreadBy(points, key, 'usPerStep');
  const bytesS = spreadBy(points, key, 'bytesPerRun');
  const values = [...usS.keys()].map((k) => {
    const [backend, design, length] = k.split('|');
    return {
      line: `${design}, ${backend}`,
      length: Number(length),
      us: usS.get(k)?.median,
      kb: (bytesS.get(k)?.median ?? 0) / 1000,
    };
  });
  const panel = (field: string, title: string) => ({
    width: 300,
    height: 260,
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'length',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'steps per run (log scale)',
      },
      y: { field, type: 'quantitative', scale: { type: 'log' }, title },
      color: { field: 'line', type: 'nominal', title: null },
    },
  });
  return {
    name: 'versioning',
    title: 'Bytes per run and µs per step vs run length',
    caption:
      'Left: bytes of rows a run leaves in the database (logical row bytes). Right: wall time per step, one run at a time (medians). Baton runtime = the whole runtime; Baton versions = hash-chained versions appended by compare-and-append alone; mutable record = one row per run updated in place under a lock.',
    spec: {
      data: { values },
      hconcat: [panel('kb', 'kB per run (log scale)'), panel('us', 'µs per step (log scale)')],
    },
  };
}

async function onBackend(
  ctx: ExperimentContext,
  b: Backend,
  runs: (l: number) => number,
  reps: number,
  lengths: readonly number[],
) {
  const points: Row[] = [];
  const reads: Row[] = [];
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const length of lengths) {
        ctx.log(`versioning: ${b.name}, ${length} steps per run, rep ${rep + 1}`);
        const m = await measureLength(b, length, runs(length), rep, ctx.seed);
        points.push(...m.points.map((p) => ({ ...p, rep })));
        const longest = lengths[lengths.length - 1];
        if (length === longest && m.runIds[0])
          reads.push(
            ...(await measureRead(b, m.label, m.runIds[0], length)).map((r) => ({ ...r, rep })),
          );
      }
    }
  } finally {
    await b.cleanup();
  }
  return { points, reads };
}

/** Runs experiment 2. */
export async function versioningExperiment(ctx: ExperimentContext): Promise<ExperimentResult> {
  const plan = PLANS[ctx.size];
  const lite = await onBackend(ctx, sqliteBackend(ctx.tmpDir), plan.runs, plan.reps, plan.lengths);
  const points = [...lite.points];
  const reads = [...lite.reads];
  let pgNote = 'PostgreSQL was not measured at this size.';
  if (plan.postgres && ctx.postgresUrl) {
    const probe = await probePostgres(ctx.postgresUrl);
    if ('version' in probe) {
      const pg = await onBackend(
        ctx,
        postgresBackend(ctx.postgresUrl),
        plan.postgres.runs,
        plan.postgres.reps,
        plan.lengths,
      );
      points.push(...pg.points);
      reads.push(...pg.reads);
      pgNote = `PostgreSQL ${probe.version} on this machine, over TCP (default \`synchronous_commit = on\`), ${plan.postgres.reps} repetition(s), fewer runs per length (its round trips make it slow).`;
    } else pgNote = `PostgreSQL was not measured: ${probe.reason.replace(/:[^:@/]*@/, ':***@')}.`;
  }
  const key = (r: Row): string => `${r.backend}|${r.design}|${r.length}`;
  const usS = spreadBy(points, key, 'usPerStep');
  const cpuS = spreadBy(points, key, 'cpuUsPerStep');
  const bS = spreadBy(points, key, 'bytesPerRun');
  const dS = spreadBy(points, key, 'diskBytesPerRun');
  const combos = [...new Set(points.map((p) => `${p.backend}|${p.design}`))];
  const cell = (m: Map<string, Spread>, c: string, l: number, f: (x: number) => string) => {
    const s = m.get(`${c}|${l}`);
    return s ? showSpread(s, f) : '–';
  };
  const header = ['design, database', ...plan.lengths.map((l) => `${fmt(l)} steps`)];
  const rowsOf = (m: Map<string, Spread>, f: (x: number) => string) =>
    combos.map((c) => [
      c.split('|').reverse().join(', '),
      ...plan.lengths.map((l) => cell(m, c, l, f)),
    ]);
  const readKey = (r: Row): string => `${r.backend}|${r.version}`;
  const first = spreadBy(reads, readKey, 'firstReadMs');
  const cached = spreadBy(reads, readKey, 'cachedReadMs');
  const longest = plan.lengths[plan.lengths.length - 1] ?? 0;
  const med = (m: Map<string, Spread>, k: string): number => m.get(k)?.median ?? Number.NaN;
  const ratio = (a: string, b: string, l: number) =>
    med(usS, `SQLite|${a}|${l}`) / med(usS, `SQLite|${b}|${l}`);
  const md = [
    `The same agent (the demo's credit-score logic, contract-checked) runs L steps per run, one run at a time, on each design; ${plan.reps} repetition(s) on SQLite (synchronous NORMAL, WAL, on both sides). ${pgNote} Cells: median (min–max).`,
    '',
    "**µs per step** (wall time ÷ steps, one run in flight: the latency of a step, not the throughput under concurrency — see the README's Performance section for that):",
    '',
    mdTable(
      header,
      rowsOf(usS, (x) => fmt(x)),
    ),
    '',
    "**CPU µs per step** (this process's CPU time, all threads, per step: less sensitive than wall time to other work on a shared machine; on PostgreSQL the server's own CPU is not counted):",
    '',
    mdTable(
      header,
      rowsOf(cpuS, (x) => fmt(x)),
    ),
    '',
    '**Bytes per run** (logical bytes of the rows a run leaves: every table and index on SQLite, live rows on PostgreSQL):',
    '',
    mdTable(header, rowsOf(bS, kb)),
    '',
    "**Disk growth per run** (files after a checkpoint / relation sizes; page-granular, so small runs round to pages; on PostgreSQL the mutable record's dead row versions stay until VACUUM):",
    '',
    mdTable(header, rowsOf(dS, kb)),
    '',
    `**Reading a version from a long history** (\`rt.state(run, v)\` on a run of ${fmt(longest)} steps, from a fresh runtime, then the same read again; ms). The mutable record has no history to read: its earlier states are gone.`,
    '',
    mdTable(
      ['database, version', 'first read (ms)', 'cached read (ms)'],
      [...first.keys()].map((k) => [
        k.replace('|', ', v'),
        showSpread(first.get(k) as Spread, (x) => fmt(x, 2)),
        showSpread(cached.get(k) as Spread, (x) => fmt(x, 2)),
      ]),
    ),
    '',
    "A version stores only its step's output and its hash, so storage grows linearly with the number of steps, where an in-place record stays the size of its latest state. Reading version v folds versions 1..v; the result is cached by (run, version), which can never go stale.",
  ].join('\n');
  const l = longest;
  return {
    id: 'versioning',
    title: '2. The cost of immutable, versioned state',
    data: { points, reads },
    figures: [figure(points)],
    markdown: md,
    headline: [
      `Immutable versioning: on SQLite, appending a hash-chained version took ${fmt(med(usS, `SQLite|Baton versions|${l}`))} µs per step against ${fmt(med(usS, `SQLite|mutable record|${l}`))} µs for an in-place update under a lock (${fmt(ratio('Baton versions', 'mutable record', l), 1)}×; CPU ${fmt(med(cpuS, `SQLite|Baton versions|${l}`))} against ${fmt(med(cpuS, `SQLite|mutable record|${l}`))} µs), and the whole runtime (contracts, journal, orchestration) ${fmt(med(usS, `SQLite|Baton runtime|${l}`))} µs; a ${fmt(l)}-step run keeps ${kb(med(bS, `SQLite|Baton runtime|${l}`))} of history against ${kb(med(bS, `SQLite|mutable record|${l}`))} for the record's last state (machine-specific timings, medians).`,
    ],
  };
}
