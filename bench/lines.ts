/**
 * The benchmark's lines (scenarios) and the messages between the runner and its child
 * processes. One line is one scenario; each implementation on it runs in its own process.
 */
import type { StepMode } from './workload.js';

/** Who runs a line: Baton, LangGraph.js, or better-sqlite3 alone (the raw limit). */
export type ImplName = 'baton' | 'langgraph' | 'raw';

/** Every implementation name, for validating `--impl`. */
export const IMPL_NAMES: readonly ImplName[] = ['baton', 'langgraph', 'raw'];

/** One scenario. */
export interface LineDef {
  readonly id: string;
  readonly title: string;
  readonly mode: StepMode;
  readonly store: 'memory' | 'sqlite';
  /** Runs in flight at once (a bounded pool); for raw lines, runs per transaction. */
  readonly inFlight: number;
  /** Runs measured per process, per implementation: [full, quick]. */
  readonly runs: Readonly<Partial<Record<ImplName, readonly [number, number]>>>;
  /** A memory line: its point is peak RSS and bytes per in-flight run. */
  readonly memory?: boolean;
}

/** The lines, in the order they run and print. */
export const LINES: readonly LineDef[] = [
  {
    id: 'mem-trivial-1',
    title: 'no persistence, trivial, 1 in flight',
    mode: 'trivial',
    store: 'memory',
    inFlight: 1,
    runs: { baton: [20_000, 2_000], langgraph: [2_000, 200] },
  },
  {
    id: 'mem-trivial-64',
    title: 'no persistence, trivial, 64 in flight',
    mode: 'trivial',
    store: 'memory',
    inFlight: 64,
    runs: { baton: [50_000, 5_000], langgraph: [3_000, 300] },
  },
  {
    id: 'sqlite-trivial-64',
    title: 'durable SQLite (synchronous=FULL), trivial, 64 in flight',
    mode: 'trivial',
    store: 'sqlite',
    inFlight: 64,
    runs: { baton: [20_000, 3_000], langgraph: [2_000, 200] },
  },
  {
    id: 'sqlite-io-512',
    title: 'durable SQLite (synchronous=FULL), io 10 ms, 512 in flight',
    mode: 'io',
    store: 'sqlite',
    inFlight: 512,
    runs: { baton: [30_000, 5_120], langgraph: [3_072, 512] },
  },
  {
    id: 'raw-tx-per-run',
    title: 'raw better-sqlite3, same rows, one transaction per run',
    mode: 'trivial',
    store: 'sqlite',
    inFlight: 1,
    runs: { raw: [10_000, 2_000] },
  },
  {
    id: 'raw-batched',
    title: 'raw better-sqlite3, same rows, 512 runs per transaction',
    mode: 'trivial',
    store: 'sqlite',
    inFlight: 512,
    runs: { raw: [200_000, 15_000] },
  },
  {
    id: 'memory-io-512',
    title: 'memory: durable SQLite, io 10 ms, 512 in flight',
    mode: 'io',
    store: 'sqlite',
    inFlight: 512,
    runs: { baton: [10_240, 2_048] },
    memory: true,
  },
  {
    id: 'memory-io-10000',
    title: 'memory: durable SQLite, io 10 ms, 10,000 in flight',
    mode: 'io',
    store: 'sqlite',
    inFlight: 10_000,
    runs: { baton: [30_000, 10_000] },
    memory: true,
  },
];

/** What the runner asks a child process to measure. */
export interface ChildSpec {
  readonly line: string;
  readonly impl: ImplName;
  readonly mode: StepMode;
  readonly store: 'memory' | 'sqlite';
  readonly inFlight: number;
  readonly runs: number;
  /** Untimed runs first (JIT, caches, file growth), also checked against the oracle. */
  readonly warmup: number;
  readonly seed: number;
  /** Stop starting runs after this many ms of timed runs (null: run all `runs`). */
  readonly budgetMs: number | null;
  /**
   * Fault injection for the harness's own tests: the decision of this timed run is replaced by
   * a wrong one, as if a step had been skipped, to prove the oracle check fails the child.
   */
  readonly corruptRun?: number;
}

/** What a child reports. */
export interface ChildResult {
  readonly line: string;
  readonly impl: ImplName;
  /** What actually ran (store, checkpointer, pragmas). */
  readonly label: string;
  /** Runs timed: `runs` of the spec, or fewer when the time budget ran out. */
  readonly runs: number;
  readonly wallMs: number;
  readonly runsPerSec: number;
  /** wall µs / (runs × 5 steps); null for raw lines, which run no steps. */
  readonly usPerStep: number | null;
  /** RSS after setup, before the first run. */
  readonly baselineRssBytes: number;
  /** process.resourceUsage().maxRSS at the end of the timed runs. */
  readonly peakRssBytes: number;
  /** (peak − baseline) / runs in flight; null for raw lines. */
  readonly perRunBytes: number | null;
  /** What was checked (decisions against the oracle, rows in the file). */
  readonly checked: string;
  /**
   * Durable lines: the SQLite file's size after a WAL checkpoint (TRUNCATE) and VACUUM, over
   * every run it holds (warm-up included); null elsewhere.
   */
  readonly diskBytesPerRun?: number | null;
}

/** The prefix of the one stdout line carrying a child's JSON result. */
export const RESULT_MARKER = '@@bench-result ';
