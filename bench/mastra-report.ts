/**
 * Medians, ratio and the `@@bench-suite` result of the Mastra comparison (bench/mastra.ts).
 */
import type { MastraChildResult } from './mastra/spec.js';
import { spread } from './report.js';

/** One line of the comparison, with [full, quick] run counts per implementation. */
export interface MastraLine {
  readonly id: string;
  readonly title: string;
  readonly store: 'memory' | 'sqlite';
  readonly mastraSynchronous?: 'FULL';
  readonly runs: {
    readonly baton: readonly [number, number];
    readonly mastra: readonly [number, number];
  };
}

type Impl = 'baton' | 'mastra';

/** Medians over the repetitions of one implementation on one line. */
export interface ImplSummary {
  readonly label: string;
  readonly node: string;
  readonly runsPerSec: number;
  readonly runsPerSecMin: number;
  readonly runsPerSecMax: number;
  readonly usPerStep: number;
  readonly peakRssBytes: number;
  readonly heapUsedBytes: number;
  readonly checked: string;
  readonly repetitions: number;
}

/** One line's two sides, the ratio and a printable summary. */
export interface LineSummary {
  readonly line: MastraLine;
  readonly baton: ImplSummary;
  readonly mastra: ImplSummary;
  /** Baton median runs/s ÷ Mastra median runs/s. */
  readonly ratio: number;
  readonly text: string;
}

function side(rs: readonly MastraChildResult[], line: string, impl: Impl): ImplSummary {
  const mine = rs.filter((r) => r.line === line && r.impl === impl);
  if (mine.length === 0) throw new Error(`${line}: no ${impl} result`);
  const rate = spread(mine.map((r) => r.runsPerSec));
  const med = (f: (r: MastraChildResult) => number) => spread(mine.map(f)).median;
  const runs = mine.reduce((n, r) => n + r.runs, 0);
  // Each child's own check says how many decisions it compared: their sum is what was checked.
  const checked = mine.reduce((n, r) => n + Number.parseInt(r.checked, 10), 0);
  const durable = mine.every((r) => r.checked.includes('found in the file'));
  return {
    label: mine[0]!.label,
    node: mine[0]!.node,
    runsPerSec: rate.median,
    runsPerSecMin: rate.min,
    runsPerSecMax: rate.max,
    usPerStep: med((r) => r.usPerStep),
    peakRssBytes: med((r) => r.peakRssBytes),
    heapUsedBytes: med((r) => r.heapUsedBytes),
    checked: `${checked} decisions (warm-up and timed, ${runs} timed runs over ${mine.length} repetitions) equal the oracle${durable ? '; every run found in the file afterwards' : ''}`,
    repetitions: mine.length,
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

function describe(name: string, s: ImplSummary): string {
  return `  ${name.padEnd(7)} ${int(s.runsPerSec).padStart(7)} runs/s (${int(s.runsPerSecMin)}–${int(s.runsPerSecMax)})  ${s.usPerStep.toFixed(1)} µs/step  peak RSS ${mb(s.peakRssBytes)}, heap ${mb(s.heapUsedBytes)}  [${s.label}]`;
}

/**
 * Summarises every line that has both sides.
 * @throws Error when a line lacks Baton's or Mastra's results.
 */
export function summarise(
  lines: readonly MastraLine[],
  results: readonly MastraChildResult[],
): LineSummary[] {
  return lines.map((line) => {
    const baton = side(results, line.id, 'baton');
    const mastra = side(results, line.id, 'mastra');
    const ratio = baton.runsPerSec / mastra.runsPerSec;
    const text = [
      `${line.id} (medians of ${baton.repetitions}, ${baton.node}):`,
      describe('baton', baton),
      describe('mastra', mastra),
      `  Baton/Mastra ${ratio.toFixed(1)}×`,
    ].join('\n');
    return { line, baton, mastra, ratio, text };
  });
}

/** The `@@bench-suite` payload (shape in the suite contract of `npm run bench`). */
export function suiteResult(summary: readonly LineSummary[]) {
  const lines = summary.flatMap((s) =>
    (['baton', 'mastra'] as const).map((impl) => {
      const x = s[impl];
      return {
        id: s.line.id,
        title: s.line.title,
        impl,
        label: `${x.label}, Node ${x.node}`,
        figures: {
          runsPerSec: x.runsPerSec,
          runsPerSecMin: x.runsPerSecMin,
          runsPerSecMax: x.runsPerSecMax,
          usPerStep: x.usPerStep,
          peakRssBytes: x.peakRssBytes,
          heapUsedBytes: x.heapUsedBytes,
          ...(impl === 'baton' ? { ratioToMastra: s.ratio } : {}),
        },
        checked: x.checked,
      };
    }),
  );
  const measured = summary
    .map(
      (s) =>
        `${s.line.id}: Baton ${int(s.baton.runsPerSec)} vs Mastra ${int(s.mastra.runsPerSec)} runs/s = ${s.ratio.toFixed(1)}× (${s.baton.node})`,
    )
    .join('; ');
  return {
    suite: 'mastra',
    lines,
    targets: [
      {
        target: 'Mastra peer on Node 24: ratio printed',
        measured,
        met: summary.length > 0 && summary.every((s) => Number.isFinite(s.ratio)),
      },
    ],
  };
}
