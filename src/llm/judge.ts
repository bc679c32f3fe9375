/**
 * `llmJudge`: an evaluator that asks a language model to score an agent's output against a
 * rubric. It plugs into `evaluate` on an agent or a step like any evaluator: its score lands
 * on the attempt's span (and the stored evaluation records), and with `minScore` it gates the
 * handoff: a lower score rejects the output like a contract would, and the step's `onFailure`
 * decides what happens next (fail and compensate, skip, cached, human review).
 *
 * Invariants:
 * - The verdict is structured output bound to a contract (`{ score, label?, rationale }`,
 *   score in [0, 1]), with the same bounded re-asks as any LLM agent.
 * - The judge's calls go through the same model seam: a gateway model's limits, fallbacks and
 *   run budget apply to them.
 */
import type { LanguageModel } from 'ai';
import { z } from 'zod';
import {
  canonicalJson,
  contract,
  type DeepReadonly,
  type EvaluatorSpec,
  InvalidDefinitionError,
} from '../index.js';
import type { GatewayModel } from './gateway.js';
import { isGatewayModel } from './gateway.js';
import { type LlmCallSettings, runLlm } from './generate.js';
import { detachedJudgeContext, judgePlan } from './judge-call.js';
import { directInvoker } from './llm-agent.js';
import type { PriceTable } from './pricing.js';

/** The verdict a judge must return. */
export const JudgeVerdict = contract(
  'baton.judge.verdict@1',
  z.object({
    score: z.number().min(0).max(1),
    label: z.string().optional(),
    rationale: z.string(),
  }),
);

/** Options of {@link llmJudge}. */
export interface LlmJudgeOptions<I, O> {
  /** The evaluator's name on spans and records (default 'judge'). */
  readonly name?: string;
  /**
   * The judge's version: bump it when the rubric, model or prompt changes. The evaluator is then
   * recorded as `name@version`, so `baton judges` reports each version's agreement apart.
   */
  readonly version?: string;
  readonly model: LanguageModel | GatewayModel;
  /** What a good output is, in words the judge model scores against. */
  readonly rubric: string;
  /** A score below this rejects the handoff (default: no gate, the score is only recorded). */
  readonly minScore?: number;
  /** Fraction of calls judged, 0..1 (default 1). */
  readonly sampleRate?: number;
  /** The user message (default: the input and the output as JSON). */
  readonly prompt?: (input: DeepReadonly<I>, output: DeepReadonly<O>) => string;
  /** Re-asks when the verdict is malformed (default 1). */
  readonly maxReasks?: number;
  readonly settings?: LlmCallSettings;
  readonly prices?: PriceTable;
}

/** A judge's evaluator name: `name`, or `name@version`. */
export function judgeId(name: string | undefined, version: string | undefined): string {
  const base = name ?? 'judge';
  return version === undefined ? base : `${base}@${version}`;
}

/**
 * An evaluator backed by a language model.
 * @throws InvalidDefinitionError naming the bad option.
 * @example
 * const faithful = llmJudge({ model, rubric: 'Every reason is one of the input risk factors.', minScore: 0.7 });
 * const explain = llmAgent({ ..., evaluate: [faithful] });
 */
export function llmJudge<I = unknown, O = unknown>(
  options: LlmJudgeOptions<I, O>,
): EvaluatorSpec<I, O> {
  const name = judgeId(options.name, options.version);
  const bad = (msg: string): never => {
    throw new InvalidDefinitionError(`llmJudge '${name}': ${msg}`, name);
  };
  for (const k of ['name', 'version'] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === 'string' && /^[^@\s]+$/.test(v)))
      bad(`${k} must be a non-empty string without '@' or spaces, got ${JSON.stringify(v)}`);
  }
  if (options.model === undefined || options.model === null) bad('model is required');
  if (typeof options.rubric !== 'string' || options.rubric.trim() === '')
    bad('rubric must be a non-empty string');
  for (const k of ['minScore', 'sampleRate'] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1))
      bad(`${k} must be a number in [0, 1], got ${JSON.stringify(v)}`);
  }
  const maxReasks = options.maxReasks ?? 1;
  if (!(Number.isInteger(maxReasks) && maxReasks >= 0)) bad('maxReasks must be an integer >= 0');
  const invoker = isGatewayModel(options.model) ? options.model : directInvoker(options.model);
  const prompt =
    options.prompt ??
    ((input: DeepReadonly<I>, output: DeepReadonly<O>) =>
      `Input:\n${canonicalJson(input)}\n\nOutput to judge:\n${canonicalJson(output)}`);
  const instructions = [
    'You are a strict evaluator. Score the output against the rubric.',
    `Rubric: ${options.rubric}`,
    'Answer with JSON: score (0 = fails the rubric, 1 = fully meets it), an optional short label, and a one-sentence rationale.',
  ].join('\n');
  const plan = judgePlan({
    name,
    invoker,
    verdict: JudgeVerdict,
    instructions,
    maxReasks,
    prices: options.prices,
    settings: options.settings,
  });
  return {
    name,
    ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
    ...(options.sampleRate !== undefined ? { sampleRate: options.sampleRate } : {}),
    fn: async (input, output, where) => {
      const ctx = detachedJudgeContext(where, `${where.runId}:${where.step}:judge:${name}`);
      const verdict = await runLlm(plan(prompt(input, output)), null, ctx);
      return {
        score: verdict.score,
        rationale: verdict.rationale,
        ...(verdict.label !== undefined ? { label: verdict.label } : {}),
      };
    },
  };
}
