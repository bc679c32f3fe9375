/**
 * Evaluation runs: a dataset through a workflow, each case `repeat` times, reporting pass@1
 * (the share of runs that pass) and pass^k (all k runs of a case pass) per case and overall,
 * with the mean score of every evaluator (judges included). Consistency across repeats is what
 * agents in production lack, so pass^k is the figure to watch.
 *
 * Invariants:
 * - This module imports nothing from the AI SDK: the CLI uses it.
 * - A run passes when it completes and, if the case has `expected`, its output equals it
 *   (canonical JSON). A run that fails, is compensated or waits for a human does not pass.
 * - Scores come from the evaluation records in the store, so the runtime needs
 *   `telemetry: createTracing({ store })` and `flush` must write them before they are read.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  canonicalJson,
  InvalidArgumentError,
  isRunFailedError,
  type Runtime,
  type StateStore,
  type Workflow,
} from '../index.js';

/** One case of a dataset. */
export interface EvalCase {
  readonly input: unknown;
  /** When given, a run passes only if its output equals this. */
  readonly expected?: unknown;
}

/** Options of {@link runEval}. */
export interface EvalOptions {
  readonly rt: Runtime;
  /** Where the evaluation records are read from. */
  readonly store: StateStore;
  readonly workflow: Workflow<unknown, unknown>;
  readonly cases: readonly EvalCase[];
  /** Runs per case (default 1). */
  readonly repeat?: number;
  /** Writes buffered spans and evaluations (e.g. the tracing's `flush`). */
  readonly flush?: () => Promise<void>;
}

/** The result of one case. */
export interface EvalCaseResult {
  readonly index: number;
  readonly runs: readonly string[];
  readonly passed: number;
  /** passed / runs. */
  readonly passAt1: number;
  /** Every run passed. */
  readonly passAll: boolean;
  /** Error codes of the runs that did not pass, in run order. */
  readonly failures: readonly string[];
  /** Mean score by evaluator over the case's runs. */
  readonly scores: Readonly<Record<string, number>>;
}

/** What {@link runEval} returns. */
export interface EvalReport {
  readonly workflow: string;
  readonly repeat: number;
  readonly cases: readonly EvalCaseResult[];
  /** Mean of the cases' pass@1. */
  readonly passAt1: number;
  /** Share of cases whose every run passed (pass^k). */
  readonly passHatK: number;
  /** Mean score by evaluator over every run. */
  readonly scores: Readonly<Record<string, number>>;
}

/**
 * Runs every case `repeat` times and reports pass@1, pass^k and evaluator scores.
 * @throws InvalidArgumentError for an empty dataset or a bad `repeat`.
 */
export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const repeat = options.repeat ?? 1;
  if (!(Number.isInteger(repeat) && repeat >= 1))
    throw new InvalidArgumentError(`repeat must be an integer >= 1, got ${repeat}`, 'repeat');
  if (options.cases.length === 0)
    throw new InvalidArgumentError('the dataset has no cases', 'dataset');
  const outcomes = await Promise.all(
    options.cases.map((c) =>
      Promise.all(Array.from({ length: repeat }, () => runOnce(options, c))),
    ),
  );
  await options.flush?.();
  const all = new Scores();
  const cases: EvalCaseResult[] = [];
  for (const [index, runs] of outcomes.entries()) {
    const mine = new Scores();
    for (const r of runs) {
      const records = await options.store.queryRecords({ kind: 'evaluation', runId: r.runId });
      for (const rec of records) mine.addRecord(rec.body, all);
    }
    const passed = runs.filter((r) => r.failure === undefined).length;
    cases.push({
      index,
      runs: runs.map((r) => r.runId),
      passed,
      passAt1: passed / repeat,
      passAll: passed === repeat,
      failures: runs.flatMap((r) => (r.failure === undefined ? [] : [r.failure])),
      scores: mine.means(),
    });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    workflow: options.workflow.name,
    repeat,
    cases,
    passAt1: mean(cases.map((c) => c.passAt1)),
    passHatK: mean(cases.map((c) => (c.passAll ? 1 : 0))),
    scores: all.means(),
  };
}

/**
 * Parses a JSONL dataset: one `{ "input": ..., "expected"?: ... }` object per non-empty line.
 * @throws InvalidArgumentError naming the line at fault.
 */
export function parseDataset(text: string): EvalCase[] {
  const cases: EvalCase[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new InvalidArgumentError(`dataset line ${i + 1}: ${(e as Error).message}`, 'dataset');
    }
    if (typeof value !== 'object' || value === null || !('input' in value))
      throw new InvalidArgumentError(
        `dataset line ${i + 1}: expected an object { "input": ..., "expected"?: ... }`,
        'dataset',
      );
    cases.push(value as EvalCase);
  }
  return cases;
}

type Outcome = { runId: string; failure?: string };

async function runOnce(options: EvalOptions, c: EvalCase): Promise<Outcome> {
  const handle = await options.rt.start(options.workflow, c.input);
  const stop = new AbortController();
  const finished = handle.result().then(
    (output): Outcome =>
      c.expected !== undefined && canonicalJson(output) !== canonicalJson(c.expected)
        ? { runId: handle.id, failure: 'UNEXPECTED_OUTPUT' }
        : { runId: handle.id },
    (e: unknown): Outcome => ({
      runId: handle.id,
      failure: isRunFailedError(e) ? e.failure.code : ((e as { code?: string }).code ?? 'ERROR'),
    }),
  );
  try {
    return await Promise.race([finished, parked(options.rt, handle.id, stop.signal)]);
  } finally {
    stop.abort();
  }
}

/** Resolves when the run parks (waits for a signal or a human): it cannot pass unattended. */
async function parked(rt: Runtime, runId: string, signal: AbortSignal): Promise<Outcome> {
  // `result()` resolves only on a terminal status; a batch tool polls for the parked ones.
  for (;;) {
    await sleep(PARK_POLL_MS, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return new Promise<Outcome>(() => {});
    const run = await rt.getRun(runId);
    if (run.status === 'waiting') return { runId, failure: 'WAITING' };
  }
}

const PARK_POLL_MS = 50;

/** Sums of scores by evaluator. */
class Scores {
  private readonly sums = new Map<string, { total: number; n: number }>();

  add(evaluator: string, score: number): void {
    const s = this.sums.get(evaluator) ?? { total: 0, n: 0 };
    s.total += score;
    s.n++;
    this.sums.set(evaluator, s);
  }

  /** Adds a stored evaluation record's scores here and to `also`. */
  addRecord(body: unknown, also: Scores): void {
    const list = (body as { evaluations?: unknown } | null)?.evaluations;
    if (!Array.isArray(list)) return;
    for (const e of list as { evaluator?: unknown; score?: unknown }[]) {
      if (typeof e.evaluator !== 'string' || typeof e.score !== 'number') continue;
      this.add(e.evaluator, e.score);
      also.add(e.evaluator, e.score);
    }
  }

  means(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, s] of this.sums) out[k] = s.total / s.n;
    return out;
  }
}
