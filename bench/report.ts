/**
 * Turns child results into per-line summaries (median, min, max over repetitions), the
 * side-by-side table, and the targets checked against the figures.
 */
import type { ChildResult, ImplName, LineDef } from './lines.js';

/** Median, min and max of a sample. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** One implementation on one line, over its repetitions. */
export interface CellSummary {
  readonly line: string;
  readonly impl: ImplName;
  readonly label: string;
  readonly repetitions: number;
  readonly runsPerRep: number;
  readonly runsPerSec: Spread;
  readonly usPerStep: Spread | null;
  /** The highest peak RSS of any repetition. */
  readonly peakRssBytes: number;
  readonly perRunBytes: Spread | null;
  readonly checked: string;
}

/** One of the targets, checked. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  /** null when a figure it needs was not measured (filtered out or unavailable). */
  readonly met: boolean | null;
}

/** µs per step, as printed with the table. */
export const US_PER_STEP_FORMULA =
  'µs/step = wall time of the timed runs / (runs × 5 steps): the amortised cost of one step at ' +
  'that concurrency (at 1 in flight, the wall time per step)';

/** Peak RSS per in-flight run, as printed with the table. */
export const PER_RUN_FORMULA =
  'KB/run (memory lines) = (peak RSS − RSS before the first run) / runs in flight; MB and KB are 10^6 and 10^3 bytes';

/** Median, min and max. @throws RangeError on an empty sample. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of an empty sample');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

/** Groups results by line and implementation and summarises each group. */
export function summarise(results: readonly ChildResult[]): CellSummary[] {
  const groups = new Map<string, ChildResult[]>();
  for (const r of results) {
    const key = `${r.line}\u0000${r.impl}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const first = rs[0]!;
    const steps = rs.flatMap((r) => (r.usPerStep === null ? [] : [r.usPerStep]));
    const perRun = rs.flatMap((r) => (r.perRunBytes === null ? [] : [r.perRunBytes]));
    return {
      line: first.line,
      impl: first.impl,
      label: first.label,
      repetitions: rs.length,
      runsPerRep: first.runs,
      runsPerSec: spread(rs.map((r) => r.runsPerSec)),
      usPerStep: steps.length > 0 ? spread(steps) : null,
      peakRssBytes: Math.max(...rs.map((r) => r.peakRssBytes)),
      perRunBytes: perRun.length > 0 ? spread(perRun) : null,
      checked: first.checked,
    };
  });
}

const find = (cells: readonly CellSummary[], line: string, impl: ImplName) =>
  cells.find((c) => c.line === line && c.impl === impl);

/** Baton's median runs/s over LangGraph's on a line, or null when either is missing. */
export function ratio(cells: readonly CellSummary[], line: string): number | null {
  const b = find(cells, line, 'baton');
  const l = find(cells, line, 'langgraph');
  return b && l ? b.runsPerSec.median / l.runsPerSec.median : null;
}

/** Baton's median runs/s on a line as a fraction of the raw batched limit. */
export function fractionOfRaw(cells: readonly CellSummary[], line: string): number | null {
  const b = find(cells, line, 'baton');
  const raw = find(cells, 'raw-batched', 'raw');
  return b && raw ? b.runsPerSec.median / raw.runsPerSec.median : null;
}

const num = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number) => `${num(bytes / 1e6, 1)}`;

/** The side-by-side table, one row per implementation and line. */
export function formatTable(lines: readonly LineDef[], cells: readonly CellSummary[]): string {
  const header = [
    'line',
    'impl',
    'runs/s median',
    'min–max',
    'µs/step',
    'peak RSS MB',
    'KB/run',
    'Baton/LG',
    'of raw',
  ];
  const rows: string[][] = [];
  for (const line of lines) {
    for (const c of cells.filter((x) => x.line === line.id)) {
      const r = c.impl === 'baton' ? ratio(cells, line.id) : null;
      const f =
        c.impl === 'baton' && line.store === 'sqlite' ? fractionOfRaw(cells, line.id) : null;
      rows.push([
        line.id,
        c.impl,
        num(c.runsPerSec.median),
        `${num(c.runsPerSec.min)}–${num(c.runsPerSec.max)}`,
        c.usPerStep ? num(c.usPerStep.median, 1) : '—',
        mb(c.peakRssBytes),
        // Per-run bytes only mean something when many runs are in flight: at low concurrency the
        // delta is the garbage collector's heap sizing, not what a run holds.
        line.memory && c.perRunBytes ? num(c.perRunBytes.median / 1e3, 1) : '—',
        r === null ? '' : `${num(r, 1)}×`,
        f === null ? '' : `${num(f * 100, 0)}%`,
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]) =>
    r.map((v, i) => (i < 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** The targets of issue 21, checked against the summaries. */
export function checkTargets(
  cells: readonly CellSummary[],
  disk: readonly DiskPerRun[] = [],
): TargetCheck[] {
  const out: TargetCheck[] = [];
  const add = (target: string, value: number | null, met: (v: number) => boolean, show: string) =>
    out.push({
      target,
      measured: value === null ? 'not measured' : show,
      met: value === null ? null : met(value),
    });

  const r64 = ratio(cells, 'mem-trivial-64');
  add(
    'no persistence, trivial, 64 in flight: Baton ≥ 50× LangGraph',
    r64,
    (v) => v >= 50,
    `${num(r64 ?? 0, 1)}×`,
  );
  const step = find(cells, 'mem-trivial-64', 'baton')?.usPerStep?.median ?? null;
  add(
    'no persistence, trivial, 64 in flight: ≤ 6 µs per step',
    step,
    (v) => v <= 6,
    `${num(step ?? 0, 1)} µs`,
  );
  const rs = ratio(cells, 'sqlite-trivial-64');
  add(
    'durable SQLite, trivial, 64 in flight: Baton ≥ 40× LangGraph+SqliteSaver',
    rs,
    (v) => v >= 40,
    `${num(rs ?? 0, 1)}×`,
  );
  const fr = fractionOfRaw(cells, 'sqlite-io-512');
  add(
    'durable SQLite, io, 512 in flight: ≥ 50% of raw batched',
    fr,
    (v) => v >= 0.5,
    `${num((fr ?? 0) * 100)}%`,
  );
  for (const [line, limit] of [
    ['memory-io-512', 120e6],
    ['memory-io-10000', 250e6],
  ] as const) {
    const c = find(cells, line, 'baton');
    const v = c?.peakRssBytes ?? null;
    const per = c?.perRunBytes ? `, ${num(c.perRunBytes.median / 1e3, 1)} KB/run` : '';
    add(`${line}: peak RSS ≤ ${limit / 1e6} MB`, v, (x) => x <= limit, `${mb(v ?? 0)} MB${per}`);
  }
  const onDisk = disk.find((d) => d.line === 'sqlite-trivial-64')?.fraction ?? null;
  add(
    "bytes on disk per run (sqlite-trivial-64): ≤ ½ of LangGraph+SqliteSaver's",
    onDisk,
    (v) => v <= 0.5,
    `${num((onDisk ?? 0) * 100)}%`,
  );
  return out;
}

/** The targets as printable lines. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks
    .map(
      (c) =>
        `${c.met === null ? '  n/a ' : c.met ? '  MET ' : ' MISSED'}  ${c.target}: ${c.measured}`,
    )
    .join('\n');
}

/** Bytes on disk per run on one durable line: Baton's and LangGraph's medians and their ratio. */
export interface DiskPerRun {
  readonly line: string;
  readonly baton: number | null;
  readonly langgraph: number | null;
  /** Baton ÷ LangGraph (issue 21's target: at most 0.5). */
  readonly fraction: number | null;
}

/** Medians of the compacted file size per run, per durable line, from the children's results. */
export function diskPerRun(results: readonly ChildResult[]): DiskPerRun[] {
  const lines = [...new Set(results.filter((r) => r.diskBytesPerRun != null).map((r) => r.line))];
  const median = (line: string, impl: ImplName): number | null => {
    const xs = results.flatMap((r) =>
      r.line === line && r.impl === impl && r.diskBytesPerRun != null ? [r.diskBytesPerRun] : [],
    );
    return xs.length > 0 ? spread(xs).median : null;
  };
  return lines.map((line) => {
    const baton = median(line, 'baton');
    const langgraph = median(line, 'langgraph');
    return {
      line,
      baton,
      langgraph,
      fraction: baton !== null && langgraph !== null ? baton / langgraph : null,
    };
  });
}

/** The bytes-on-disk block printed after the targets. */
export function formatDiskPerRun(rows: readonly DiskPerRun[]): string {
  const b = (n: number | null) => (n === null ? '—' : `${num(n)} B`);
  const out = rows.map((r) => {
    const f = r.fraction === null ? '' : `  Baton = ${num(r.fraction * 100)}% of LangGraph's`;
    const verdict =
      r.fraction === null
        ? ''
        : r.fraction <= 0.5
          ? '  (target ≤ 50%: met)'
          : '  (target ≤ 50%: missed)';
    return `  ${r.line.padEnd(18)} Baton ${b(r.baton).padStart(9)}  LangGraph+SqliteSaver ${b(r.langgraph).padStart(9)}${f}${verdict}`;
  });
  return `Bytes on disk per run (file after WAL checkpoint and VACUUM, over every run it holds):\n${out.join('\n')}`;
}
