import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  type ContractType,
  contract,
  createRuntime,
  createTracing,
  sqliteStore,
  workflow,
} from 'baton-runtime';
import {
  createModelGateway,
  groundedGuard,
  llmAgent,
  llmJudge,
  piiGuard,
  readUsage,
} from 'baton-runtime/llm';
import { z } from 'zod';

// Any AI SDK model: a local OpenAI-compatible server (Ollama, vLLM) as here, or a hosted one,
// e.g. openai('gpt-4o-mini') from @ai-sdk/openai or anthropic('claude-…') from @ai-sdk/anthropic.
const local = createOpenAICompatible({
  name: 'ollama',
  baseURL: 'http://127.0.0.1:11434/v1',
  supportsStructuredOutputs: true, // send the contract as a JSON schema response format
});

const Decision = contract(
  'loan.decision@1',
  z.object({
    applicant: z.string(),
    outcome: z.enum(['approve', 'decline', 'refer']),
    factors: z.array(z.string()),
  }),
);
const Explanation = contract(
  'loan.explanation@1',
  z
    .object({ summary: z.string(), reasons: z.array(z.string()), confidence: z.number() })
    // A rule JSON Schema cannot carry: checked after generation and fed back on a re-ask.
    .refine((e) => e.confidence >= 0.7, { message: 'must be >= 0.7', path: ['confidence'] }),
);

type DecisionT = ContractType<typeof Decision>;
type ExplanationT = ContractType<typeof Explanation>;

// One gateway per process, shared by every agent: limits hold across agents and runs, and
// 'small' takes the call when 'main' fails, is at a limit or has its breaker open.
const gateway = createModelGateway({
  models: {
    main: { model: local('llama3.1:8b'), rpm: 60, tpm: 200_000, concurrency: 4 },
    small: { model: local('llama3.2:3b'), price: { input: 0.02, output: 0.05 } }, // USD per 1M tokens
  },
  fallbacks: { main: ['small'] },
  runBudget: { maxTokens: 50_000 },
});

const explain = llmAgent({
  name: 'explain-decision',
  version: '1.0.0',
  model: gateway.model('main'),
  input: Decision,
  output: Explanation,
  instructions: 'Explain the loan decision to the applicant, citing only the listed factors.',
  prompt: (d) => JSON.stringify(d),
  guards: [
    piiGuard(), // e-mails, phone numbers, SSNs and card numbers are redacted before the call
    // Every reason must be one of the input's factors (no invented entity); else re-ask.
    groundedGuard<DecisionT, ExplanationT>({
      values: (e) => e.reasons,
      allowed: (d) => d.factors,
      onViolation: 'reask',
    }),
  ],
  maxReasks: 2,
  budget: { maxTokens: 8_000 },
  settings: { temperature: 0 },
  evaluate: [
    llmJudge({
      name: 'faithful',
      model: gateway.model('small'),
      rubric: 'Every reason is one of the decision factors and the summary matches the outcome.',
      minScore: 0.7, // below it, the step fails like a contract violation: onFailure decides
    }),
  ],
  policy: { timeoutMs: 60_000, onFailure: 'human' },
});

export const explainFlow = workflow('explain-decision', { version: 1, input: Decision })
  .step('explain', explain, { input: (s) => s.input })
  .output((s) => s.explain);

const store = sqliteStore('baton.db');
const tracing = createTracing({ store }); // usage and cost are read back from the stored spans
const rt = createRuntime({ store, workflows: [explainFlow], telemetry: tracing });
const run = await rt.start(explainFlow, {
  applicant: 'A-17',
  outcome: 'decline',
  factors: ['high debt-to-income', 'short credit history'],
});
console.log(await run.result());
await tracing.flush();
console.log(await readUsage(store, { groupBy: 'model' })); // tokens and cost by model
await rt.close();
