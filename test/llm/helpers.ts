/**
 * What the LLM tests share: scripted AI SDK mock models, an OpenAI-compatible HTTP server on
 * 127.0.0.1 (real HTTP through the real provider package), and a traced runtime on a real
 * SQLite file.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import {
  type AgentContext,
  type ContractType,
  contract,
  createRuntime,
  createTracing,
  type ModelUsage,
  type Runtime,
  type RuntimeOptions,
  type StateStore,
  sqliteStore,
  type Telemetry,
  type Workflow,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';

/** What a mock model receives on each call. */
export type CallOptions = MockLanguageModelV3['doGenerateCalls'][number];

/** One scripted answer of a mock model. */
export type Reply =
  | string
  | {
      readonly text: string;
      readonly input?: number;
      readonly output?: number;
      readonly finish?: 'stop' | 'length' | 'content-filter';
    }
  | { readonly toolCalls: readonly { readonly name: string; readonly input: string }[] }
  | Error;

/** Tokens every scripted answer reports unless it says otherwise. */
export const TOKENS = { input: 100, output: 20 } as const;

/**
 * A mock model answering `replies` in order (the last one repeats), or a function of the call.
 * `calls()` counts the calls it received.
 */
export function scripted(
  replies: readonly Reply[] | ((call: CallOptions, n: number) => Reply),
  opts: { modelId?: string; provider?: string } = {},
): MockLanguageModelV3 {
  let n = 0;
  return new MockLanguageModelV3({
    modelId: opts.modelId ?? 'mock-model',
    provider: opts.provider ?? 'mock.chat',
    doGenerate: async (call) => {
      n++;
      const reply =
        typeof replies === 'function'
          ? replies(call, n)
          : replies[Math.min(n, replies.length) - 1]!;
      if (reply instanceof Error) throw reply;
      const text = typeof reply === 'string' ? reply : 'text' in reply ? reply.text : undefined;
      const input =
        typeof reply === 'object' && 'input' in reply
          ? (reply.input ?? TOKENS.input)
          : TOKENS.input;
      const output =
        typeof reply === 'object' && 'output' in reply
          ? (reply.output ?? TOKENS.output)
          : TOKENS.output;
      const content =
        text !== undefined
          ? [{ type: 'text' as const, text }]
          : (reply as { toolCalls: { name: string; input: string }[] }).toolCalls.map((t, i) => ({
              type: 'tool-call' as const,
              toolCallId: `call-${n}-${i}`,
              toolName: t.name,
              input: t.input,
            }));
      return {
        content,
        finishReason: {
          unified:
            text === undefined
              ? ('tool-calls' as const)
              : typeof reply === 'object' && 'finish' in reply
                ? (reply.finish ?? 'stop')
                : ('stop' as const),
          raw: undefined,
        },
        usage: {
          inputTokens: {
            total: input,
            noCache: input,
            cacheRead: undefined,
            cacheWrite: undefined,
          },
          outputTokens: { total: output, text: output, reasoning: undefined },
        },
        warnings: [],
      };
    },
  });
}

/** The text of the last user message a mock model received. */
export function lastUserText(call: CallOptions): string {
  const users = call.prompt.filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  if (!last) return '';
  return last.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** What the fake server answers to one request. */
export interface ServerReply {
  readonly status?: number;
  readonly content?: string;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

/** An OpenAI-compatible chat completions server on 127.0.0.1. */
export interface FakeOpenAi {
  readonly baseURL: string;
  /** Every request body received, in order. */
  readonly requests: Record<string, unknown>[];
  /** A provider model for `modelId` through `@ai-sdk/openai-compatible`. */
  model(modelId?: string): ReturnType<ReturnType<typeof createOpenAICompatible>>;
  close(): Promise<void>;
}

/** Starts the fake server; `answer` decides each reply from the request body and its index. */
export async function fakeOpenAi(
  answer: (body: Record<string, unknown>, n: number) => ServerReply,
): Promise<FakeOpenAi> {
  const requests: Record<string, unknown>[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      requests.push(body);
      const r = answer(body, requests.length);
      if (r.status !== undefined && r.status !== 200) {
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `status ${r.status}`, type: 'test' } }));
        return;
      }
      const prompt = r.promptTokens ?? TOKENS.input;
      const completion = r.completionTokens ?? TOKENS.output;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model: String(body.model),
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: r.content ?? '' },
              finish_reason: 'stop',
            },
          ],
          usage: {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt + completion,
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseURL = `http://127.0.0.1:${port}/v1`;
  const provider = createOpenAICompatible({
    name: 'local',
    baseURL,
    supportsStructuredOutputs: true,
  });
  return {
    baseURL,
    requests,
    model: (modelId = 'local-model') => provider(modelId),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** A traced runtime on a fresh SQLite file. */
export interface LlmRuntime {
  readonly rt: Runtime;
  readonly store: StateStore;
  readonly tracing: Telemetry;
  readonly path: string;
  close(): Promise<void>;
}

/** Builds a runtime on a temp SQLite file with spans kept in the store. */
export function llmRuntime(
  workflows: readonly Workflow<unknown, unknown>[],
  options: Partial<RuntimeOptions> = {},
): LlmRuntime {
  const db = tempDbPath('llm');
  const store = sqliteStore(db.path);
  const tracing = createTracing({ store });
  const rt = createRuntime({ store, workflows, telemetry: tracing, ...options });
  return {
    rt,
    store,
    tracing,
    path: db.path,
    close: async () => {
      await tracing.flush();
      await rt.close();
      await db.remove();
    },
  };
}

/** The contracts most tests use: a loan decision in, an explanation out. */
export const Decision = contract(
  'test.decision@1',
  z.object({
    applicant: z.string(),
    outcome: z.enum(['approve', 'decline', 'refer']),
    factors: z.array(z.string()),
  }),
);

export const Explanation = contract(
  'test.explanation@1',
  z
    .object({
      summary: z.string().min(1),
      reasons: z.array(z.string()),
      confidence: z.number().min(0).max(1),
    })
    .refine((e) => e.confidence >= 0.7, {
      message: 'confidence must be at least 0.7',
      path: ['confidence'],
    }),
);

/** A loan decision (the LLM step's input). */
export type DecisionData = ContractType<typeof Decision>;
/** An explanation (the LLM step's output). */
export type ExplanationData = ContractType<typeof Explanation>;

/** A decision to explain. */
export const DECLINED: DecisionData = {
  applicant: 'A-17',
  outcome: 'decline',
  factors: ['high debt-to-income', 'short credit history'],
};

/** A valid explanation of {@link DECLINED}. */
export const GOOD = JSON.stringify({
  summary: 'Declined for two risk factors.',
  reasons: ['high debt-to-income', 'short credit history'],
  confidence: 0.9,
});

/** An agent context for calling an agent's `execute` directly; `usage` collects reports. */
export function agentContext(runId = 'run-1') {
  const usage: ModelUsage[] = [];
  const ctx: AgentContext = {
    runId,
    step: 'explain',
    attempt: 1,
    idempotencyKey: `${runId}:explain`,
    signal: new AbortController().signal,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    usage: (u) => usage.push(u),
    span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
  };
  return { ctx, usage };
}
