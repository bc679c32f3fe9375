/**
 * Evaluators: score an agent call after its output passed its contract. Rule-based functions
 * today, LLM-as-judge later; both have the same shape `fn(input, output, ctx)`.
 *
 * Invariants:
 * - Sampling is decided up front, in list order, with the injected `random`, so a seeded
 *   random gives the same selection every time; a plain function is always run.
 * - Every result is validated (`score` a number in [0, 1], `label` and `rationale` strings) and
 *   reported through `onRecord` before any gate is applied, so a rejected call's scores still
 *   land on its span.
 * - A score below `minScore` rejects the handoff with a `ContractViolationError` (boundary
 *   'agent-output', contract `evaluator:<name>`), exactly as an output contract would.
 */
import type { Evaluation, Evaluator, EvaluatorSpec } from '../agents/agent.js';
import { ContractViolationError } from '../errors.js';
import type { EvaluationRecord } from './telemetry.js';

/** Where an evaluation happens. */
export interface EvaluationContext {
  readonly runId: string;
  readonly step: string;
  readonly attempt: number;
  /** Uniform in [0, 1): decides sampling. */
  readonly random: () => number;
  /** The agent id, named in a gate's error. */
  readonly agent?: string;
  /** Receives each record as soon as it is validated (e.g. `AttemptScope.evaluation`). */
  readonly onRecord?: (record: EvaluationRecord) => void;
}

type AnyEvaluator = Evaluator<never, never> | EvaluatorSpec<never, never>;

/**
 * Runs the sampled evaluators on one call and returns their records, in list order.
 * @throws ContractViolationError when a result is malformed (boundary 'value') or a gated
 * evaluator scores below its `minScore` (boundary 'agent-output').
 * @throws whatever an evaluator throws.
 */
export async function runEvaluators(
  list: readonly AnyEvaluator[] | undefined,
  input: unknown,
  output: unknown,
  ctx: EvaluationContext,
): Promise<EvaluationRecord[]> {
  if (!list || list.length === 0) return [];
  const selected: { name: string; spec: EvaluatorSpec<unknown, unknown> }[] = [];
  list.forEach((e, i) => {
    const spec = normalize(e as Evaluator | EvaluatorSpec, i);
    const rate = spec.sampleRate ?? 1;
    if (rate >= 1 || (rate > 0 && ctx.random() < rate)) selected.push({ name: spec.name, spec });
  });
  if (selected.length === 0) return [];
  const callCtx = { runId: ctx.runId, step: ctx.step, attempt: ctx.attempt };
  const results = await Promise.all(
    selected.map(({ spec }) => spec.fn(input as never, output as never, callCtx)),
  );
  const records = selected.map(({ name, spec }, i) => {
    const r = toRecord(name, spec.minScore, results[i], ctx);
    ctx.onRecord?.(r);
    return r;
  });
  const failed = records.find((r) => !r.passed);
  if (failed) {
    throw new ContractViolationError({
      contractId: `evaluator:${failed.evaluator}`,
      boundary: 'agent-output',
      step: ctx.step,
      agent: ctx.agent,
      issues: [
        {
          path: [],
          message: `evaluator '${failed.evaluator}' scored ${failed.score}, below its minScore ${failed.minScore}`,
        },
      ],
    });
  }
  return records;
}

function normalize(e: Evaluator | EvaluatorSpec, index: number): EvaluatorSpec {
  if (typeof e === 'function') return { name: e.name || `evaluator-${index + 1}`, fn: e };
  return e;
}

function toRecord(
  name: string,
  minScore: number | undefined,
  result: unknown,
  ctx: EvaluationContext,
): EvaluationRecord {
  const r = result as Partial<Record<keyof Evaluation, unknown>> | null;
  const bad = (path: string, message: string): never => {
    throw new ContractViolationError({
      contractId: `evaluator:${name}`,
      boundary: 'value',
      step: ctx.step,
      agent: ctx.agent,
      issues: [{ path: [path], message: `evaluator '${name}' ${message}` }],
    });
  };
  if (typeof r !== 'object' || r === null)
    return bad('score', `must return { score, label?, rationale? }, got ${String(result)}`);
  const score = r.score;
  if (typeof score !== 'number' || !(score >= 0 && score <= 1))
    bad('score', `must return a score in [0, 1], got ${String(score)}`);
  if (r.label !== undefined && typeof r.label !== 'string')
    bad('label', `label must be a string, got ${typeof r.label}`);
  if (r.rationale !== undefined && typeof r.rationale !== 'string')
    bad('rationale', `rationale must be a string, got ${typeof r.rationale}`);
  return {
    evaluator: name,
    score: score as number,
    passed: minScore === undefined || (score as number) >= minScore,
    ...(r.label !== undefined ? { label: r.label as string } : {}),
    ...(r.rationale !== undefined ? { rationale: r.rationale as string } : {}),
    ...(minScore !== undefined ? { minScore } : {}),
  };
}
