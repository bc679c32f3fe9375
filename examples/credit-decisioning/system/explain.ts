/**
 * The optional LLM step of the credit workflow: a language model writes the adverse-action
 * explanation of each declined or referred application, bound to a contract whose factors must
 * come from the decision's own reasons and the risk rationale (no invented factor).
 *
 * It runs when `BATON_LLM_BASE_URL` and `BATON_LLM_MODEL` name an OpenAI-compatible server
 * (`BATON_LLM_API_KEY` is sent when set); otherwise the step is skipped in every run and the
 * demo's summary says how to turn it on. The AI SDK is loaded only when the step is on.
 */
import { agent, type ContractType, contract } from 'baton-runtime';
import { z } from 'zod';
import { Decision, RiskAssessment } from '../domain/contracts.js';

/** What the explanation step reads: the decision and the risk assessment behind it. */
export const ExplainInput = contract(
  'credit.explain-input@1',
  z.object({
    decision: Decision.schema as z.ZodType<Decision>,
    risk: RiskAssessment.schema as z.ZodType<RiskAssessment>,
  }),
);
/** The explanation step's input. */
export type ExplainInput = ContractType<typeof ExplainInput>;

/** An adverse-action explanation, written for the applicant. */
export const AdverseExplanation = contract(
  'credit.adverse-explanation@1',
  z.object({
    applicantId: z.string().min(1),
    outcome: z.enum(['refer', 'decline']),
    /** Two or three plain sentences. */
    summary: z.string().min(1).max(800),
    /** The decision's factors the summary rests on, each one of the input's (checked by a guard). */
    factors: z.array(z.string().min(1)).min(1),
  }),
);
/** An explanation. */
export type AdverseExplanation = ContractType<typeof AdverseExplanation>;

/** Where the model is, from the environment. */
export interface LlmEndpoint {
  readonly baseURL: string;
  readonly model: string;
  readonly apiKey?: string;
}

/** The explanation step, on or off. */
export type Explainer =
  | {
      readonly enabled: true;
      readonly endpoint: LlmEndpoint;
      readonly agent: typeof disabledExplainer;
      /** Explanations written and failed in this process. */
      stats(): { readonly written: number; readonly failed: number };
    }
  | { readonly enabled: false; readonly agent: typeof disabledExplainer; readonly reason: string };

/** The factors an explanation may name: the decision's reasons and the risk rationale. */
export function allowedFactors(input: {
  readonly decision: { readonly reasons: readonly string[] };
  readonly risk: { readonly rationale: readonly string[] };
}): string[] {
  return [...input.decision.reasons, ...input.risk.rationale];
}

/** The step's agent when no model is configured: never run (the step's `when` is false). */
export const disabledExplainer = agent({
  name: 'adverse-explanation',
  version: '1.0.0',
  input: ExplainInput,
  output: AdverseExplanation,
  policy: { onFailure: 'skip' },
  execute: (): AdverseExplanation => {
    throw new Error('no model configured: set BATON_LLM_BASE_URL and BATON_LLM_MODEL');
  },
});

/** Reads `BATON_LLM_BASE_URL`, `BATON_LLM_MODEL` and `BATON_LLM_API_KEY`; undefined when unset. */
export function llmEndpointFromEnv(env: NodeJS.ProcessEnv): LlmEndpoint | undefined {
  const baseURL = env.BATON_LLM_BASE_URL?.trim();
  const model = env.BATON_LLM_MODEL?.trim();
  if (!baseURL || !model) return undefined;
  const apiKey = env.BATON_LLM_API_KEY?.trim();
  return { baseURL, model, ...(apiKey ? { apiKey } : {}) };
}

/** The explanation step for this environment (the AI SDK is imported only when it is on). */
export async function loadExplainer(env: NodeJS.ProcessEnv): Promise<Explainer> {
  const endpoint = llmEndpointFromEnv(env);
  if (!endpoint)
    return {
      enabled: false,
      agent: disabledExplainer,
      reason: 'BATON_LLM_BASE_URL and BATON_LLM_MODEL are not set',
    };
  const { createLlmExplainer } = await import('./explain-llm.js');
  return createLlmExplainer(endpoint);
}

/** The summary line about the step. */
export function formatExplainLine(e: Explainer): string {
  if (!e.enabled)
    return (
      `  explanations        skipped: ${e.reason} (set them, and BATON_LLM_API_KEY if needed, ` +
      'to have an OpenAI-compatible model explain each decline and referral)'
    );
  const { written, failed } = e.stats();
  return (
    `  explanations        ${written} written by ${e.endpoint.model} at ${e.endpoint.baseURL} for declines and referrals` +
    `${failed > 0 ? `, ${failed} failed (the step is optional: its run went on without it)` : ''}`
  );
}
