import { afterEach, describe, expect, it } from 'vitest';
import {
  isContractViolationError,
  isRunFailedError,
  type StoredSpan,
  workflow,
} from '../../src/index.js';
import { llmAgent, readUsage } from '../../src/llm/index.js';
import {
  DECLINED,
  Decision,
  Explanation,
  GOOD,
  type LlmRuntime,
  lastUserText,
  llmRuntime,
  scripted,
  TOKENS,
} from './helpers.js';

const PRICES = { 'mock-model': { input: 0.15, output: 0.6 } };
const COST_PER_CALL = (TOKENS.input * 0.15 + TOKENS.output * 0.6) / 1e6;

let env: LlmRuntime | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

function explainFlow(model: ReturnType<typeof scripted>, maxReasks?: number) {
  const explain = llmAgent({
    name: 'explain',
    version: '1.0.0',
    model,
    input: Decision,
    output: Explanation,
    instructions: 'Explain the decision using only the given factors.',
    prompt: (d) => `Decision: ${JSON.stringify(d)}`,
    prices: PRICES,
    ...(maxReasks !== undefined ? { maxReasks } : {}),
  });
  return workflow('explain-decision', { version: 1, input: Decision })
    .step('explain', explain, { input: (s) => s.input })
    .output((s) => s.explain);
}

async function attemptSpans(e: LlmRuntime, runId: string): Promise<StoredSpan[]> {
  await e.tracing.flush();
  return (await e.rt.trace(runId)).filter((s) => s.kind === 'attempt');
}

describe('llmAgent in a workflow on SQLite', () => {
  it('commits contract-valid output from the model as the step version', async () => {
    const model = scripted([GOOD]);
    const flow = explainFlow(model);
    env = llmRuntime([flow]);
    const run = await env.rt.start(flow, DECLINED);
    const out = await run.result();
    expect(out).toEqual(JSON.parse(GOOD));
    expect((await env.rt.state(run.id, 2)).data.explain).toEqual(JSON.parse(GOOD));
    // The provider got the contract's JSON Schema as the response format, and the prompt.
    const call = model.doGenerateCalls[0]!;
    expect(call.responseFormat).toMatchObject({
      type: 'json',
      name: 'test_explanation',
      schema: { type: 'object', required: ['summary', 'reasons', 'confidence'] },
    });
    expect(call.prompt[0]).toEqual({
      role: 'system',
      content: 'Explain the decision using only the given factors.',
    });
    expect(lastUserText(call)).toBe(`Decision: ${JSON.stringify(DECLINED)}`);
  });

  it('puts GenAI attributes, tokens and cost on the stored attempt span and run totals', async () => {
    const flow = explainFlow(scripted([GOOD]));
    env = llmRuntime([flow]);
    const run = await env.rt.start(flow, DECLINED);
    await run.result();
    const [attempt] = await attemptSpans(env, run.id);
    expect(attempt!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'mock',
      'gen_ai.request.model': 'mock-model',
      'gen_ai.usage.input_tokens': TOKENS.input,
      'gen_ai.usage.output_tokens': TOKENS.output,
      'baton.llm.cost_usd': COST_PER_CALL,
      'baton.llm.calls': 1,
      'baton.llm.reasks': 0,
      'baton.agent': 'explain',
    });
    const root = (await env.rt.trace(run.id)).find((s) => s.kind === 'run')!;
    expect(root.attributes).toMatchObject({
      'baton.usage.input_tokens': TOKENS.input,
      'baton.usage.output_tokens': TOKENS.output,
      'baton.usage.cost_usd': COST_PER_CALL,
    });
  });

  it('re-asks with the parse error after invalid JSON, then succeeds', async () => {
    const model = scripted(['Sure! Here is the explanation.', GOOD]);
    const flow = explainFlow(model);
    env = llmRuntime([flow]);
    const run = await env.rt.start(flow, DECLINED);
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    expect(model.doGenerateCalls).toHaveLength(2);
    const second = model.doGenerateCalls[1]!;
    // The re-ask carries the first answer and what was wrong with it.
    expect(second.prompt.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(lastUserText(second)).toContain('not valid JSON');
    expect(lastUserText(second)).toContain("'test.explanation@1'");
    const [attempt] = await attemptSpans(env, run.id);
    expect(attempt!.attributes).toMatchObject({
      'baton.llm.calls': 2,
      'baton.llm.reasks': 1,
      'gen_ai.usage.input_tokens': 2 * TOKENS.input,
      'gen_ai.usage.output_tokens': 2 * TOKENS.output,
    });
  });

  it('re-asks when the answer was cut short with no text', async () => {
    const model = scripted([{ text: '', finish: 'length' }, GOOD]);
    const flow = explainFlow(model);
    env = llmRuntime([flow]);
    const run = await env.rt.start(flow, DECLINED);
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    expect(lastUserText(model.doGenerateCalls[1]!)).toContain("no answer, finished by 'length'");
  });

  it('feeds a refinement the JSON Schema cannot carry back to the model until it holds', async () => {
    const low = (c: number) => JSON.stringify({ summary: 's', reasons: [], confidence: c });
    const model = scripted([low(0.2), low(0.5), GOOD]);
    const flow = explainFlow(model);
    env = llmRuntime([flow]);
    const run = await env.rt.start(flow, DECLINED);
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    expect(model.doGenerateCalls).toHaveLength(3);
    for (const call of model.doGenerateCalls.slice(1))
      expect(lastUserText(call)).toContain('confidence: confidence must be at least 0.7');
  });

  it('fails the step with every attempt’s issues once the re-asks run out', async () => {
    const model = scripted([JSON.stringify({ summary: '', reasons: 'none', confidence: 2 })]);
    const flow = explainFlow(model, 1);
    env = llmRuntime([flow]);
    const run = await env.rt.start(flow, DECLINED);
    const error = await run.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRunFailedError(error)).toBe(true);
    expect(model.doGenerateCalls).toHaveLength(2); // the first call and one re-ask, never retried
    const record = await env.rt.getRun(run.id);
    expect(record.error?.code).toBe('CONTRACT_VIOLATION');
    const details = record.error?.details as { issues: { path: string[]; message: string }[] };
    const issues = details.issues;
    const attempts = new Set(issues.map((i) => i.message.slice(0, 'attempt N'.length)));
    expect(attempts).toEqual(new Set(['attempt 1', 'attempt 2']));
    expect(issues.map((i) => i.path.join('.'))).toContain('reasons');
    // Both calls were paid for, and their tokens are on the span of the failed attempt.
    const [attempt] = await attemptSpans(env, run.id);
    expect(attempt!.attributes['gen_ai.usage.input_tokens']).toBe(2 * TOKENS.input);
    expect(attempt!.status).toBe('error');
  });

  it('is a plain agent: its execute can be called with any agent context', async () => {
    const explain = llmAgent({
      name: 'explain',
      version: '1.0.0',
      model: scripted(['{"summary":"x","reasons":[],"confidence":0.1}']),
      input: Decision,
      output: Explanation,
      maxReasks: 0,
    });
    const used: unknown[] = [];
    const ctx = {
      runId: 'r',
      step: 's',
      attempt: 1,
      idempotencyKey: 'r:s',
      signal: new AbortController().signal,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      usage: (u: unknown) => used.push(u),
      span: undefined as never,
    };
    const error = await Promise.resolve(explain.execute(DECLINED, ctx)).catch((e: unknown) => e);
    expect(isContractViolationError(error)).toBe(true);
    expect(used).toEqual([
      expect.objectContaining({ model: 'mock-model', inputTokens: TOKENS.input }),
    ]);
    expect(explain).toMatchObject({ kind: 'agent', id: 'explain@1.0.0' });
  });

  it('reads usage totals that match the model’s token counts, by agent and by model', async () => {
    const flow = explainFlow(scripted(['oops', GOOD]));
    env = llmRuntime([flow]);
    const runs = await Promise.all([1, 2, 3].map(() => env!.rt.start(flow, DECLINED)));
    await Promise.all(runs.map((r) => r.result()));
    await env.tracing.flush();
    // The mock answers 'oops' only on its first call: 4 calls over 3 runs.
    const byAgent = await readUsage(env.store, { groupBy: 'agent' });
    expect(byAgent.rows).toHaveLength(1);
    expect(byAgent.rows[0]).toMatchObject({
      key: 'explain@1.0.0',
      runs: 3,
      attempts: 3,
      calls: 4,
      inputTokens: 4 * TOKENS.input,
      outputTokens: 4 * TOKENS.output,
      costUsd: Math.round(4 * COST_PER_CALL * 1e9) / 1e9,
    });
    const perRun = await Promise.all(
      runs.map((r) => readUsage(env!.store, { runId: r.id, groupBy: 'model' })),
    );
    expect(perRun.map((u) => u.total.calls).sort()).toEqual([1, 1, 2]);
    expect(perRun[0]!.rows.map((r) => r.key)).toEqual(['mock-model']);
    const none = await readUsage(env.store, { model: 'other' });
    expect(none.rows).toEqual([]);
    expect(none.total.costUsd).toBeNull();
    // The runtime answers the same question (rt.usage reads the same stored spans).
    expect(await env.rt.usage({ groupBy: 'agent' })).toEqual(byAgent);
  });
});
