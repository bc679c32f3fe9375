/**
 * The explanation step's LLM agent (loaded only when a model is configured, see ./explain.ts):
 * structured output bound to `credit.adverse-explanation@1`, every factor checked against the
 * decision's own reasons (an invented one is sent back to the model), a judge scoring the
 * notice's faithfulness to the decision (below 0.7 the step fails, and is skipped like any
 * failure of this optional step), all through one gateway with a concurrency cap and a breaker.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { agent, type DeepReadonly } from 'baton-runtime';
import { createModelGateway, groundedGuard, llmAgent, llmJudge, piiGuard } from 'baton-runtime/llm';
import {
  type AdverseExplanation,
  allowedFactors,
  type disabledExplainer,
  type Explainer,
  ExplainInput,
  AdverseExplanation as Explanation,
  type LlmEndpoint,
} from './explain.js';

const INSTRUCTIONS = [
  'You write the adverse-action notice of a loan decision for the applicant.',
  'Answer with JSON only: applicantId and outcome copied from the decision, a summary of two or',
  'three plain sentences, and factors: the decision reasons or risk rationale entries the summary',
  'rests on, copied exactly. Never name a factor that is not in the input.',
].join(' ');

/** Builds the enabled explainer for `endpoint`. */
export function createLlmExplainer(endpoint: LlmEndpoint): Explainer {
  const provider = createOpenAICompatible({
    name: 'credit-llm',
    baseURL: endpoint.baseURL,
    ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
    supportsStructuredOutputs: true,
  });
  const gateway = createModelGateway({
    models: { explain: { model: provider(endpoint.model), concurrency: 4 } },
    maxWaitMs: 120_000,
  });
  let written = 0;
  let failed = 0;
  // What the model and its judge see of the decision: outcome, reasons and risk, no applicant.
  const decisionOf = (input: DeepReadonly<ExplainInput>) => ({
    decision: {
      applicantId: input.decision.applicantId,
      outcome: input.decision.outcome,
      reasons: input.decision.reasons,
    },
    risk: { rating: input.risk.rating, rationale: input.risk.rationale },
  });
  const faithful = llmJudge<ExplainInput, AdverseExplanation>({
    name: 'faithfulness',
    version: '1',
    model: gateway.model('explain'),
    rubric:
      "The notice is faithful to the decision: its outcome is the decision's, every factor is one " +
      'of the decision reasons or risk rationale entries, and the summary claims nothing the ' +
      'decision does not support.',
    minScore: 0.7,
    prompt: (input, notice) => JSON.stringify({ ...decisionOf(input), notice }),
    settings: { temperature: 0, maxRetries: 1 },
  });
  const llm = llmAgent({
    name: 'adverse-explanation',
    version: '1.0.0',
    model: gateway.model('explain'),
    input: ExplainInput,
    output: Explanation,
    instructions: INSTRUCTIONS,
    prompt: (input) => JSON.stringify(decisionOf(input)),
    guards: [
      piiGuard(),
      groundedGuard<ExplainInput, AdverseExplanation>({
        values: (e) => e.factors,
        allowed: (input) => allowedFactors(input),
        onViolation: 'reask',
      }),
    ],
    evaluate: [faithful],
    maxReasks: 2,
    settings: { temperature: 0, maxRetries: 1 },
    // Optional: a model that is down or off-contract costs the explanation, never the decision.
    policy: { timeoutMs: 120_000, retry: { maxAttempts: 1 }, onFailure: 'skip' },
  });
  const counted = agent({
    name: llm.name,
    version: llm.version,
    input: llm.input,
    output: llm.output,
    policy: llm.policy,
    evaluate: [faithful],
    execute: async (input, ctx) => {
      try {
        const out = await llm.execute(input, ctx);
        written++;
        return out;
      } catch (e) {
        failed++;
        throw e;
      }
    },
  }) as unknown as typeof disabledExplainer;
  return { enabled: true, endpoint, agent: counted, stats: () => ({ written, failed }) };
}
