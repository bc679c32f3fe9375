/**
 * What a Mastra-comparison child measures and reports (bench/mastra/child.ts), shared with the
 * runner and the tests without loading the child itself.
 */
import type { StepMode } from '../workload.js';

/** Prefix of the result line on stdout. */
export const MASTRA_RESULT_MARKER = '@@mastra-result ';

/** What one child measures. */
export interface MastraSpec {
  readonly line: string;
  readonly impl: 'baton' | 'mastra';
  readonly store: 'memory' | 'sqlite';
  /** Mastra on a durable line: force `synchronous=FULL` (see `MastraStoreOptions`). */
  readonly mastraSynchronous?: 'FULL';
  readonly mode: StepMode;
  readonly inFlight: number;
  readonly runs: number;
  readonly warmup: number;
  readonly seed: number;
  /** Stop starting runs after this many ms (null: run them all). */
  readonly budgetMs: number | null;
  /** Tests only: alter this run's decision after the runs, so the oracle check must fail. */
  readonly corruptRun?: number;
}

/** What one child reports. */
export interface MastraChildResult {
  readonly line: string;
  readonly impl: 'baton' | 'mastra';
  readonly label: string;
  readonly node: string;
  readonly runs: number;
  readonly wallMs: number;
  readonly runsPerSec: number;
  readonly usPerStep: number;
  readonly peakRssBytes: number;
  readonly heapUsedBytes: number;
  readonly checked: string;
}
