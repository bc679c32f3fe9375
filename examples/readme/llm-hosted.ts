import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { contract, createRuntime, sqliteStore, workflow } from 'baton-runtime';
import { createModelGateway, llmAgent } from 'baton-runtime/llm';
import { z } from 'zod';

// A hosted provider with an OpenAI-compatible API (OpenAI, Groq, Together, Fireworks, Mistral,
// OpenRouter, ...): its base URL, model and API key come from the environment, never the code.
const baseURL = process.env.LLM_BASE_URL ?? 'https://api.openai.com/v1';
const apiKey = process.env.LLM_API_KEY;
if (!apiKey) throw new Error('set LLM_API_KEY (and LLM_BASE_URL, LLM_MODEL for another provider)');
const hosted = createOpenAICompatible({
  name: 'hosted',
  baseURL,
  apiKey, // sent as `Authorization: Bearer …`
  supportsStructuredOutputs: true,
});

const Ticket = contract('support.ticket@1', z.object({ subject: z.string(), body: z.string() }));
const Triage = contract(
  'support.triage@1',
  z.object({
    queue: z.enum(['billing', 'technical', 'account']),
    urgent: z.boolean(),
    summary: z.string().max(200),
  }),
);

const store = sqliteStore('baton.db');
await store.migrate();
// The provider's quota, shared by every worker on this store: the limits are taken in the store.
const gateway = createModelGateway({
  models: {
    main: {
      model: hosted(process.env.LLM_MODEL ?? 'gpt-4o-mini'),
      rpm: 500,
      tpm: 200_000,
      price: { input: 0.15, output: 0.6 }, // USD per 1M tokens
    },
  },
  store,
});

const triage = llmAgent({
  name: 'triage',
  version: '1.0.0',
  model: gateway.model('main'),
  input: Ticket,
  output: Triage,
  instructions: 'Route the support ticket to one queue and summarize it in one sentence.',
  prompt: (t) => `Subject: ${t.subject}\n\n${t.body}`,
  budget: { maxCostUsd: 0.01 },
  policy: { timeoutMs: 30_000, retry: { maxAttempts: 2 } },
});

const triageFlow = workflow('triage', { version: 1, input: Ticket })
  .step('triage', triage, { input: (s) => s.input })
  .output((s) => s.triage);

const rt = createRuntime({ store, workflows: [triageFlow] });
const run = await rt.start(triageFlow, {
  subject: 'Charged twice',
  body: 'My card was charged twice for the March invoice. Please refund one.',
});
console.log(await run.result()); // { queue: 'billing', urgent: …, summary: … }
await rt.close();
