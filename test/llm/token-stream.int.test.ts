import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { agent, type RunEvent, type TokenEvent, workflow } from '../../src/index.js';
import { llmAgent } from '../../src/llm/index.js';
import { DECLINED, Decision, Explanation, GOOD, type LlmRuntime, llmRuntime } from './helpers.js';

let env: LlmRuntime | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** GOOD cut into the chunks the streaming model sends. */
const CHUNKS = [GOOD.slice(0, 17), GOOD.slice(17, 40), GOOD.slice(40)];

/** A model that streams CHUNKS (and answers GOOD at once when not streamed). */
function streamingModel(): MockLanguageModelV3 {
  const usage = {
    inputTokens: { total: 100, noCache: 100, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 20, text: 20, reasoning: undefined },
  };
  return new MockLanguageModelV3({
    modelId: 'mock-model',
    provider: 'mock.chat',
    doGenerate: async () => ({
      content: [{ type: 'text', text: GOOD }],
      finishReason: { unified: 'stop', raw: undefined },
      usage,
      warnings: [],
    }),
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: 'stream-start' as const, warnings: [] },
          { type: 'text-start' as const, id: 't1' },
          ...CHUNKS.map((delta) => ({ type: 'text-delta' as const, id: 't1', delta })),
          { type: 'text-end' as const, id: 't1' },
          {
            type: 'finish' as const,
            finishReason: { unified: 'stop' as const, raw: undefined },
            usage,
          },
        ],
      }),
    }),
  });
}

/** A workflow whose LLM step starts only once `opened` resolves (after the watcher subscribed). */
function heldWorkflow(model: MockLanguageModelV3, opened: Promise<void>) {
  const hold = agent({
    name: 'hold',
    version: '1.0.0',
    input: Decision,
    output: Decision,
    execute: async (d) => {
      await opened;
      return { ...d, factors: [...d.factors] };
    },
  });
  const explain = llmAgent({
    name: 'explain',
    version: '1.0.0',
    model,
    input: Decision,
    output: Explanation,
  });
  return workflow('streamed', { version: 1, input: Decision })
    .step('hold', hold, { input: (s) => s.input })
    .step('explain', explain, { needs: ['hold'], input: (s) => s.hold })
    .output((s) => s.explain);
}

describe('token streaming to watchers', () => {
  it('sends the LLM step tokens, in order, to a watcher of the run and stores none of them', async () => {
    const model = streamingModel();
    let open!: () => void;
    const opened = new Promise<void>((r) => {
      open = r;
    });
    const wf = heldWorkflow(model, opened);
    env = llmRuntime([wf]);
    const run = await env.rt.start(wf, DECLINED);
    const seen: (RunEvent | TokenEvent)[] = [];
    for await (const e of env.rt.watch(run.id, { tokens: true })) {
      seen.push(e);
      open();
    }
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    expect(model.doStreamCalls).toHaveLength(1);
    expect(model.doGenerateCalls).toHaveLength(0);
    const tokens = seen.filter((e): e is TokenEvent => e.type === 'token');
    expect(tokens.map((t) => t.text)).toEqual(CHUNKS);
    expect(tokens.every((t) => t.step === 'explain' && t.runId === run.id)).toBe(true);
    // Tokens come while the step runs: before its success is committed.
    const done = seen.findIndex((e) => e.type === 'step.succeeded' && e.step === 'explain');
    expect(seen.findIndex((e) => e.type === 'token')).toBeLessThan(done);
    // Nothing token-level is stored: no token entries, no chunk in the journal or the versions.
    const journal = await env.rt.journal(run.id);
    expect(journal.some((j) => (j.type as string) === 'token')).toBe(false);
    const stored = JSON.stringify([journal, await env.rt.history(run.id)]);
    expect(stored).not.toContain(CHUNKS[0]!.replace(/"/g, '\\"'));
    expect(stored).not.toContain(CHUNKS[0]);
    // Usage is accounted as for a call made at once.
    await env.tracing.flush();
    const usage = await env.rt.usage({ groupBy: 'agent' });
    expect(usage.rows).toMatchObject([
      { key: 'explain@1.0.0', inputTokens: 100, outputTokens: 20 },
    ]);
  });

  it('calls the model at once when nobody watches the tokens', async () => {
    const model = streamingModel();
    const wf = heldWorkflow(model, Promise.resolve());
    env = llmRuntime([wf]);
    const run = await env.rt.start(wf, DECLINED);
    const seen: RunEvent[] = [];
    for await (const e of env.rt.watch(run.id)) seen.push(e);
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(model.doStreamCalls).toHaveLength(0);
    expect(seen.some((e) => (e.type as string) === 'token')).toBe(false);
  });

  it('streams the tokens over the dashboard SSE stream as token events without ids', async () => {
    const { createDashboard } = await import('../../src/dashboard/index.js');
    const model = streamingModel();
    let open!: () => void;
    const opened = new Promise<void>((r) => {
      open = r;
    });
    const wf = heldWorkflow(model, opened);
    env = llmRuntime([wf]);
    const dashboard = createDashboard({
      runtime: env.rt,
      store: env.store,
      secret: 'token-stream-secret-16',
    });
    try {
      const run = await env.rt.start(wf, DECLINED);
      const res = await dashboard.request(`/api/v1/stream?run=${run.id}`, {
        // An admin reads personal data, so it gets the tokens (a viewer does not: they may hold some).
        headers: { authorization: `Bearer ${dashboard.mintToken('admin')}` },
      });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('event: end')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        if (text.includes('event: run')) open();
      }
      await reader.cancel();
      const tokens = [...text.matchAll(/event: token\ndata: (.+)\n/g)].map(
        (m) => (JSON.parse(m[1]!) as { step: string; text: string }).text,
      );
      expect(tokens).toEqual(CHUNKS);
      // A token event carries no id: Last-Event-ID stays the last committed event's cursor.
      expect(text).not.toMatch(/id: [^\n]+\nevent: token/);
      expect(await run.result()).toEqual(JSON.parse(GOOD));
    } finally {
      await dashboard.close();
    }
  });
});
