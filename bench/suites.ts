/**
 * Suites: the bench lines that live outside run.ts's own child protocol (PostgreSQL workers,
 * choreography on SQLite and NATS, the Mastra peer on Node 24), run by `npm run bench` after its
 * own lines so that every line of issue 21 comes out of one run.
 *
 * Each suite is a script that, given `--suite-json` (and `--quick`), prints as its last stdout
 * line `@@bench-suite <SuiteResult JSON>`; a suite whose service is unreachable reports itself
 * `skipped` with the reason. A suite that exits non-zero (a wrong answer, a crash) fails the
 * whole bench, like a failing child: no figure is printed for wrong work.
 */
import { join } from 'node:path';
import type { TargetCheck } from './report.js';
import { runMarked } from './spawn-marked.js';

/** The marker of a suite's result line. */
export const SUITE_MARKER = '@@bench-suite ';

/** One measured line of a suite. */
export interface SuiteLine {
  readonly id: string;
  readonly title: string;
  readonly impl: string;
  readonly label: string;
  readonly figures: Readonly<Record<string, number>>;
  readonly checked: string;
}

/** What a suite reports. */
export interface SuiteResult {
  readonly suite: string;
  readonly lines: readonly SuiteLine[];
  readonly targets: readonly TargetCheck[];
  /** Why nothing was measured (a service unreachable), when so. */
  readonly skipped?: string;
}

/** A suite: its name and its script under bench/. */
export interface SuiteDef {
  readonly name: string;
  readonly script: string;
  readonly what: string;
}

/** The suites, in the order they run. */
export const SUITES: readonly SuiteDef[] = [
  {
    name: 'postgres',
    script: 'workers.ts',
    what: 'PostgreSQL: 1, 2 and 4 worker processes, raw batched pg, DBOS',
  },
  {
    name: 'choreography',
    script: 'choreography.ts',
    what: 'choreography: embedded bus on SQLite, NATS JetStream',
  },
  { name: 'mastra', script: 'mastra.ts', what: 'Mastra workflows and Baton on Node 24' },
];

/** Checks what a suite printed. @throws TypeError naming what is malformed. */
export function parseSuiteResult(name: string, line: string): SuiteResult {
  const value: unknown = JSON.parse(line.slice(SUITE_MARKER.length));
  const r = value as Partial<SuiteResult> | null;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    typeof r.suite === 'string' &&
    Array.isArray(r.lines) &&
    Array.isArray(r.targets) &&
    r.lines.every(
      (l) =>
        typeof l?.id === 'string' &&
        typeof l.impl === 'string' &&
        typeof l.figures === 'object' &&
        l.figures !== null &&
        Object.values(l.figures).every((f) => typeof f === 'number' && Number.isFinite(f)),
    ) &&
    r.targets.every((t) => typeof t?.target === 'string' && typeof t.measured === 'string');
  if (!ok) throw new TypeError(`suite '${name}' printed a malformed result: ${line.slice(0, 200)}`);
  return r as SuiteResult;
}

/**
 * Runs one suite's script with tsx (suites import test helpers, which the bench's transpiled
 * tree does not hold), echoing its human-readable output indented.
 * @throws Error when it exits non-zero or prints no result.
 */
export async function runSuite(
  root: string,
  suite: SuiteDef,
  quick: boolean,
): Promise<SuiteResult> {
  const args = [
    '--import',
    'tsx',
    join(root, 'bench', suite.script),
    '--suite-json',
    ...(quick ? ['--quick'] : []),
  ];
  const marked = await runMarked(root, args, SUITE_MARKER, `suite '${suite.name}'`, 60 * 60_000);
  return parseSuiteResult(suite.name, marked);
}

/** A suite's lines as a printable table: one row per line, its figures by name. */
export function formatSuite(r: SuiteResult): string {
  if (r.skipped) return `${r.suite}: skipped (${r.skipped})`;
  const rows = r.lines.map((l) => {
    const figures = Object.entries(l.figures)
      .map(([k, v]) => `${k} ${formatFigure(v)}`)
      .join(', ');
    return `  ${l.id.padEnd(22)} ${l.impl.padEnd(10)} ${figures}`;
  });
  return [`${r.suite}:`, ...rows].join('\n');
}

function formatFigure(v: number): string {
  if (Number.isInteger(v) || Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(Math.abs(v) >= 10 ? 1 : 2);
}
