import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  createTracing,
  isBudgetExceededError,
  isInvalidArgumentError,
  memoryStore,
  type Runtime,
  type StateStore,
  sqliteStore,
  type Workflow,
  workflow,
} from '../../src/index.js';
import { createWorkflowBudget, llmAgent } from '../../src/llm/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { sdk } from '../tracing/helpers.js';
import { DECLINED, Decision, Explanation, GOOD, scripted, TOKENS } from './helpers.js';

const PRICES = { 'mock-model': { input: 0.15, output: 0.6 } };

interface Env {
  readonly rt: Runtime;
  readonly store: StateStore;
  readonly spans: () => Promise<readonly ReadableSpan[]>;
  close(): Promise<void>;
}

let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** A runtime on a fresh SQLite file, its spans exported to memory and kept in the store. */
function traced(workflows: readonly Workflow<unknown, unknown>[]): Env {
  const db = tempDbPath('genai');
  const { exporter, provider } = sdk();
  const store = sqliteStore(db.path);
  const tracing = createTracing({ tracer: provider.getTracer('test'), store });
  const rt = createRuntime({ store, workflows, telemetry: tracing });
  return {
    rt,
    store,
    spans: async () => {
      await tracing.flush();
      return exporter.getFinishedSpans();
    },
    close: async () => {
      await tracing.flush();
      await rt.close();
      await provider.shutdown();
      await db.remove();
    },
  };
}

function explainFlow(model: ReturnType<typeof scripted>, extra: object = {}) {
  const explain = llmAgent({
    name: 'explain',
    version: '1.0.0',
    model,
    input: Decision,
    output: Explanation,
    prompt: (d) => `Decision: ${JSON.stringify(d)}`,
    prices: PRICES,
    ...extra,
  });
  return workflow('explain-decision', { version: 1, input: Decision })
    .step('explain', explain, { input: (s) => s.input })
    .output((s) => s.explain);
}

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('GenAI spans of an LLM agent', () => {
  it('opens invoke_agent, then a chat span per call, and counts tokens once in the run totals', async () => {
    const model = scripted(['not json', GOOD]);
    const flow = explainFlow(model);
    env = traced([flow]);
    const run = await env.rt.start(flow, DECLINED);
    await run.result();
    const spans = await env.spans();
    const attempt = spans.find((s) => s.name === 'attempt explain')!;
    const invoke = spans.filter((s) => s.name === 'invoke_agent explain');
    expect(invoke).toHaveLength(1);
    expect(parentOf(invoke[0]!)).toBe(attempt.spanContext().spanId);
    expect(invoke[0]!.attributes['gen_ai.operation.name']).toBe('invoke_agent');
    expect(invoke[0]!.attributes['baton.run.id']).toBe(run.id);
    expect(invoke[0]!.attributes['baton.state.version.in']).toBe(1);
    const chats = spans.filter((s) => s.name === 'chat mock-model');
    expect(chats).toHaveLength(2);
    for (const [i, c] of chats.entries()) {
      expect(parentOf(c)).toBe(invoke[0]!.spanContext().spanId);
      expect(c.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'mock',
        'gen_ai.request.model': 'mock-model',
        'gen_ai.usage.input_tokens': TOKENS.input,
        'gen_ai.usage.output_tokens': TOKENS.output,
        'baton.llm.call': i + 1,
        'baton.step': 'explain',
        'baton.attempt': 1,
      });
      expect(c.attributes['baton.llm.cost_usd']).toBeCloseTo(
        (TOKENS.input * 0.15 + TOKENS.output * 0.6) / 1e6,
        12,
      );
    }
    // Totals come from the attempt alone: two calls, not four.
    const report = await env.rt.usage({ groupBy: 'agent' });
    expect(report.rows[0]).toMatchObject({
      inputTokens: 2 * TOKENS.input,
      outputTokens: 2 * TOKENS.output,
    });
    const runSpan = spans.find((s) => s.name.startsWith('run '))!;
    expect(runSpan.attributes['baton.usage.input_tokens']).toBe(2 * TOKENS.input);
    const stored = (await env.rt.trace(run.id)).filter((s) => s.kind === 'operation');
    expect(stored.map((s) => s.name).sort()).toEqual([
      'chat mock-model',
      'chat mock-model',
      'invoke_agent explain',
    ]);
  });
});

describe('journal notes of the re-ask loop', () => {
  const PiiDecision = contract(
    'test.pii-decision@1',
    z.object({
      applicant: z.string().meta({ pii: true }),
      outcome: z.enum(['approve', 'decline', 'refer']),
      factors: z.array(z.string()),
    }),
  );

  it('journals each call and keeps the accepted prompt and response, PII masked, with the version', async () => {
    const model = scripted(['{"summary":"x","reasons":[],"confidence":0.2}', GOOD]);
    const explain = llmAgent({
      name: 'explain',
      version: '1.0.0',
      model,
      input: PiiDecision,
      output: Explanation,
      prompt: (d) => `Explain the decision for ${d.applicant}: ${d.outcome}`,
    });
    const flow = workflow('explain-pii', { version: 1, input: PiiDecision })
      .step('explain', explain, { input: (s) => s.input })
      .output((s) => s.explain);
    env = traced([flow]);
    const run = await env.rt.start(flow, { ...DECLINED, applicant: 'Jane Roe' });
    await run.result();
    const notes = (await env.rt.journal(run.id)).filter((j) => j.type === 'attempt.note');
    expect(notes.map((n) => n.detail)).toMatchObject([
      { kind: 'llm.call', call: 1, outcome: 'rejected', inputTokens: TOKENS.input },
      { kind: 'llm.call', call: 2, outcome: 'accepted', response: GOOD },
    ]);
    const first = notes[0]!.detail as { issues: { path: string; message: string }[] };
    expect(first.issues).toEqual([
      { path: 'confidence', message: 'confidence must be at least 0.7' },
    ]);
    // Both notes belong to the attempt whose output became version 2.
    expect(notes.map((n) => [n.attempt, n.version])).toEqual([
      [1, 2],
      [1, 2],
    ]);
    const accepted = JSON.stringify(notes[1]!.detail);
    expect(accepted).not.toContain('Jane Roe');
    expect(accepted).toContain('Explain the decision for [pii]: decline');
    // The model itself saw the name (masking is for what is stored).
    expect(JSON.stringify(model.doGenerateCalls[0]!.prompt)).toContain('Jane Roe');
  });
});

describe('replay of a run with an LLM step', () => {
  it('reuses the recorded output unless the step is overridden', async () => {
    const model = scripted([GOOD]);
    const flow = explainFlow(model);
    env = traced([flow]);
    const run = await env.rt.start(flow, DECLINED);
    const original = await run.result();
    expect(model.doGenerateCalls).toHaveLength(1);

    const fork = await env.rt.replay(run.id, { fromVersion: 1 });
    expect(await fork.result()).toEqual(original);
    expect(model.doGenerateCalls).toHaveLength(1);
    const notes = (await env.rt.journal(fork.id)).filter((j) => j.type === 'attempt.note');
    expect(notes.map((n) => n.detail)).toEqual([{ kind: 'llm.replayed' }]);

    const other = scripted([GOOD]);
    const v2 = llmAgent({
      name: 'explain',
      version: '2.0.0',
      model: other,
      input: Decision,
      output: Explanation,
    });
    const overridden = await env.rt.replay(run.id, { fromVersion: 1, overrides: { explain: v2 } });
    await overridden.result();
    expect(other.doGenerateCalls).toHaveLength(1);
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it('calls the model again when the fork has another input', async () => {
    const model = scripted([GOOD]);
    const flow = explainFlow(model);
    env = traced([flow]);
    const run = await env.rt.start(flow, DECLINED);
    await run.result();
    const fork = await env.rt.replay(run.id, {
      fromVersion: 1,
      input: { ...DECLINED, applicant: 'A-18' },
    });
    await fork.result();
    expect(model.doGenerateCalls).toHaveLength(2);
  });
});

describe('workflow budgets', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'an unknown option',
      { typo: 1 },
      /createWorkflowBudget: unknown option 'typo'; known options are 'store', 'workflows', 'windowMs', 'clock'/,
    ],
    [
      'a workflow with no limit',
      { workflows: { w: {} } },
      /workflows\.w must set maxTokens or maxCostUsd/,
    ],
    [
      'an infinite limit',
      { workflows: { w: { maxTokens: Infinity } } },
      /workflows\.w\.maxTokens must be a positive finite number, got Infinity/,
    ],
    [
      'a negative cost',
      { workflows: { w: { maxCostUsd: -1 } } },
      /workflows\.w\.maxCostUsd must be a positive finite number, got -1/,
    ],
    [
      'an unknown limit',
      { workflows: { w: { maxToken: 5 } } },
      /workflows\.w: unknown option 'maxToken'/,
    ],
    ['a fractional window', { windowMs: 1.5 }, /windowMs must be a positive integer, got 1\.5/],
    [
      'workflows that is not an object',
      { workflows: 'all' },
      /workflows must be an object of budgets by workflow/,
    ],
  ])('refuses %s with an InvalidArgumentError naming it', (_what, bad, message) => {
    const store = memoryStore();
    const options = { store, workflows: { w: { maxTokens: 10 } }, ...bad };
    const thrown = (() => {
      try {
        createWorkflowBudget(options as never);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isInvalidArgumentError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  });

  it('refuses a call once the workflow has spent its window, across runs, with no call made', async () => {
    const model = scripted([GOOD]);
    const db = tempDbPath('genai-budget');
    const shared = sqliteStore(db.path);
    await shared.migrate();
    const budget = createWorkflowBudget({
      store: shared,
      workflows: { 'explain-decision': { maxTokens: TOKENS.input + TOKENS.output } },
      windowMs: 3_600_000,
    });
    const flow = explainFlow(model, { workflowBudget: budget });
    env = traced([flow]);
    try {
      const first = await env.rt.start(flow, DECLINED);
      await first.result();
      expect(model.doGenerateCalls).toHaveLength(1);
      const second = await env.rt.start(flow, DECLINED);
      const error = await second.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      const cause = (error as { cause?: unknown }).cause;
      expect(isBudgetExceededError(cause)).toBe(true);
      expect(cause).toMatchObject({
        details: { scope: 'workflow', resource: 'tokens', workflow: 'explain-decision' },
      });
      expect(model.doGenerateCalls).toHaveLength(1);
    } finally {
      await shared.close();
      await db.remove();
    }
  });
});

describe('execute_tool spans', () => {
  it('opens a span per tool call under the chat step that called it', async () => {
    const Lookup = contract('test.lookup@1', z.object({ code: z.string() }));
    const Factor = contract('test.factor@1', z.object({ label: z.string() }));
    const lookup = agent({
      name: 'lookup-factor',
      version: '1.0.0',
      input: Lookup,
      output: Factor,
      execute: () => ({ label: 'high debt-to-income' }),
    });
    const model = scripted([{ toolCalls: [{ name: 'lookup', input: '{"code":"DTI"}' }] }, GOOD]);
    const flow = explainFlow(model, { tools: { lookup } });
    env = traced([flow]);
    const run = await env.rt.start(flow, DECLINED);
    await run.result();
    const spans = await env.spans();
    const chats = spans.filter((s) => s.name === 'chat mock-model');
    expect(chats.map((c) => c.attributes['gen_ai.response.finish_reasons'])).toEqual([
      'tool-calls',
      'stop',
    ]);
    const tool = spans.filter((s) => s.name === 'execute_tool lookup');
    expect(tool).toHaveLength(1);
    expect(parentOf(tool[0]!)).toBe(chats[0]!.spanContext().spanId);
    expect(tool[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup',
      'gen_ai.tool.call.id': 'call-1-0',
    });
  });
});
