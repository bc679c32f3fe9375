/**
 * What every experiment of the results report takes and returns.
 *
 * Invariants:
 * - An experiment returns only figures it measured in this invocation: raw rows (written beside
 *   the report as CSV and JSON), figures (Vega-Lite specs rendered to SVG) and its Markdown
 *   section, whose numbers are formatted from those rows.
 * - Sizes scale the work, never the method: `test` (seconds, for `npm test`), `quick` (a short
 *   look while developing) and `full` (`npm run report`).
 */

/** How much work each experiment does. */
export type ReportSize = 'test' | 'quick' | 'full';

/** Where and how an experiment runs. */
export interface ExperimentContext {
  readonly size: ReportSize;
  /** The seed of every generator. */
  readonly seed: number;
  /** A private temporary directory for databases (removed by the caller). */
  readonly tmpDir: string;
  /** PostgreSQL URL for the server-backed parts, or null to leave them out. */
  readonly postgresUrl: string | null;
  /** Progress lines for the console (not part of the report). */
  readonly log: (line: string) => void;
}

/** A flat row of raw data (one CSV line). */
export type Row = Readonly<Record<string, string | number | boolean | null>>;

/** A chart: a Vega-Lite spec (data inline) and what its caption says beside the provenance. */
export interface Figure {
  /** File name without extension, e.g. `reliability-concurrency`. */
  readonly name: string;
  readonly title: string;
  /** A Vega-Lite specification with inline data. */
  readonly spec: Readonly<Record<string, unknown>>;
  /** What the figure shows and how it was measured. */
  readonly caption: string;
}

/** What an experiment hands back. */
export interface ExperimentResult {
  /** Short id used in file names, e.g. `reliability`. */
  readonly id: string;
  readonly title: string;
  /** Raw data tables by name (each written as `<id>-<name>.csv`). */
  readonly data: Readonly<Record<string, readonly Row[]>>;
  readonly figures: readonly Figure[];
  /** The Markdown section (tables and text), without the figures (the writer places them). */
  readonly markdown: string;
  /** Headline figures for the top of the report and the README. */
  readonly headline: readonly string[];
}
