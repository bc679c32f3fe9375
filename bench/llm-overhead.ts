/**
 * What Baton adds per LLM call, with a mock model that answers at once (so the overhead is all
 * there is): a bare AI SDK `generateText` with structured output and a contract check, the same
 * call as an `llmAgent` execution, the same through a model gateway with limits, and a whole
 * one-step workflow run with a plain agent vs with the LLM agent (memory store). Modes are
 * interleaved and repeated; the median is reported in µs per call (CPU time, steadier than
 * wall time on a shared machine).
 *
 *   npx tsx bench/llm-overhead.ts [calls=2000] [rounds=5]
 */
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { generateText, jsonSchema, Output } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import {
  type AgentContext,
  agent,
  contract,
  createRuntime,
  memoryStore,
  workflow,
} from '../src/index.js';
import { createModelGateway, llmAgent } from '../src/llm/index.js';

const In = contract('bench.in@1', z.object({ text: z.string() }));
const Out = contract(
  'bench.out@1',
  z.object({ summary: z.string(), confidence: z.number().min(0).max(1) }),
);
const ANSWER = { summary: 'ok', confidence: 0.9 };
const TEXT = JSON.stringify(ANSWER);

function mockModel(): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    modelId: 'bench',
    doGenerate: async () => ({
      content: [{ type: 'text', text: TEXT }],
      finishReason: { unified: 'stop', raw: undefined },
      usage: {
        inputTokens: { total: 50, noCache: 50, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 10, text: 10, reasoning: undefined },
      },
      warnings: [],
    }),
  });
}

const ctx: AgentContext = {
  runId: 'bench',
  step: 'summarize',
  attempt: 1,
  idempotencyKey: 'bench:summarize',
  signal: new AbortController().signal,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  usage() {},
  span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
};

type Mode =
  | 'bare generateText'
  | 'llmAgent'
  | 'llmAgent + gateway'
  | 'run: plain agent'
  | 'run: llmAgent';
const MODES: Mode[] = [
  'bare generateText',
  'llmAgent',
  'llmAgent + gateway',
  'run: plain agent',
  'run: llmAgent',
];

interface Subject {
  readonly call: () => Promise<unknown>;
  readonly close: () => Promise<void>;
}

const none = async (): Promise<void> => {};

function subjectFor(mode: Mode): Subject {
  const model = mockModel();
  const schema = jsonSchema(Out.jsonSchema as never, {
    validate: (v) => ({ success: true, value: v }),
  });
  const summarize = llmAgent({
    name: 'summarize',
    version: '1.0.0',
    model,
    input: In,
    output: Out,
  });
  const input = { text: 'hello' };
  if (mode === 'bare generateText') {
    const call = async () => {
      const r = await generateText({ model, prompt: 'hello', output: Output.object({ schema }) });
      return Out.parse(r.output);
    };
    return { call, close: none };
  }
  if (mode === 'llmAgent') return { call: async () => summarize.execute(input, ctx), close: none };
  if (mode === 'llmAgent + gateway') {
    const gateway = createModelGateway({ models: { m: { model, rpm: 1e9, concurrency: 1e6 } } });
    const viaGateway = llmAgent({
      name: 'summarize',
      version: '1.0.0',
      model: gateway.model('m'),
      input: In,
      output: Out,
    });
    return { call: async () => viaGateway.execute(input, ctx), close: none };
  }
  const plain = agent({
    name: 'summarize',
    version: '1.0.0',
    input: In,
    output: Out,
    execute: () => ANSWER,
  });
  const wf = workflow('bench-llm', { version: 1, input: In })
    .step('summarize', mode === 'run: plain agent' ? plain : summarize, { input: (s) => s.input })
    .output((s) => s.summarize);
  const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
  return { call: async () => (await rt.start(wf, input)).result(), close: () => rt.close() };
}

async function measure(mode: Mode, calls: number): Promise<number> {
  const { call, close } = subjectFor(mode);
  for (let i = 0; i < 200; i++) await call(); // warm-up
  const cpu = process.cpuUsage();
  for (let i = 0; i < calls; i += 50) await Promise.all(Array.from({ length: 50 }, call));
  const used = process.cpuUsage(cpu);
  await close();
  return (used.user + used.system) / calls;
}

const calls = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 5);
const samples = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
for (let r = 0; r < rounds; r++)
  for (const m of MODES) samples.get(m)!.push(await measure(m, calls));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bare = median(samples.get('bare generateText')!);
console.log(`node ${process.version}, ${calls} calls x ${rounds} rounds, median CPU µs per call`);
for (const m of MODES) {
  const us = median(samples.get(m)!);
  const extra = m.startsWith('run:') ? '' : `  (+${(us - bare).toFixed(1)} µs over bare)`;
  console.log(`${m.padEnd(22)} ${us.toFixed(1).padStart(8)} µs${extra}`);
}
