import { afterEach, describe, expect, it } from 'vitest';
import {
  isBudgetExceededError,
  isInvalidArgumentError,
  isModelUnavailableError,
  isRunFailedError,
  workflow,
} from '../../src/index.js';
import {
  createModelGateway,
  type GatewayModel,
  llmAgent,
  type ModelCallRequest,
  type TokenCount,
} from '../../src/llm/index.js';
import { FakeClock } from '../../src/testing/index.js';
import {
  agentContext,
  DECLINED,
  Decision,
  Explanation,
  GOOD,
  type LlmRuntime,
  llmRuntime,
  scripted,
  TOKENS,
} from './helpers.js';

let env: LlmRuntime | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const REQUEST: ModelCallRequest = { runId: 'run-1', estimateTokens: 10 };
const tokens = (n: number): TokenCount => ({
  inputTokens: n,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
});

/** A call through `model` that records which gateway model answered it. */
function call(model: GatewayModel, log: string[], request = REQUEST, used = 10) {
  return model.invoke(request, async (m) => {
    log.push(m.id);
    return { value: m.id, tokens: tokens(used) };
  });
}

/** A promise with its resolve function. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('model gateway limits and fallbacks', () => {
  it('passes a model at its request limit over for the next one', async () => {
    const gateway = createModelGateway({
      models: { fast: { model: scripted([GOOD]), rpm: 1 }, backup: { model: scripted([GOOD]) } },
      fallbacks: { fast: ['backup'] },
    });
    const log: string[] = [];
    for (let i = 0; i < 3; i++) await call(gateway.model('fast'), log);
    expect(log).toEqual(['fast', 'backup', 'backup']);
    expect(gateway.stats().map((s) => [s.id, s.requestsInWindow])).toEqual([
      ['fast', 1],
      ['backup', 2],
    ]);
  });

  it('waits for the window to slide when no model of the chain has capacity', async () => {
    const clock = new FakeClock(0);
    const gateway = createModelGateway({
      models: { only: { model: scripted([GOOD]), rpm: 1 } },
      windowMs: 1_000,
      clock,
    });
    const log: string[] = [];
    await call(gateway.model('only'), log);
    let done = false;
    const second = call(gateway.model('only'), log).then(() => {
      done = true;
    });
    await clock.advance(999);
    expect(log).toEqual(['only']);
    expect(done).toBe(false);
    await clock.advance(1);
    await second;
    expect(log).toEqual(['only', 'only']);
  });

  it('reserves tokens from the estimate and settles them from the usage', async () => {
    const gateway = createModelGateway({
      models: { fast: { model: scripted([GOOD]), tpm: 100 }, backup: { model: scripted([GOOD]) } },
      fallbacks: { fast: ['backup'] },
    });
    const log: string[] = [];
    const fast = gateway.model('fast');
    await call(fast, log, { runId: 'r', estimateTokens: 50 }, 30); // settled at 30
    await call(fast, log, { runId: 'r', estimateTokens: 60 }, 60); // 30 + 60 fits
    await call(fast, log, { runId: 'r', estimateTokens: 20 }, 20); // 90 + 20 does not
    expect(log).toEqual(['fast', 'fast', 'backup']);
    expect(gateway.stats()[0]).toMatchObject({ id: 'fast', tokensInWindow: 90 });
  });

  it('holds the concurrency cap and lets a waiting call in when a slot frees', async () => {
    const gateway = createModelGateway({
      models: { only: { model: scripted([GOOD]), concurrency: 1 } },
    });
    const model = gateway.model('only');
    const gate = deferred();
    const order: string[] = [];
    const first = model.invoke(REQUEST, async () => {
      order.push('first started');
      await gate.promise;
      order.push('first ended');
      return { value: 1, tokens: tokens(1) };
    });
    const second = model.invoke(REQUEST, async () => {
      order.push('second started');
      return { value: 2, tokens: tokens(1) };
    });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['first started']);
    expect(gateway.stats()[0]!.inFlight).toBe(1);
    gate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['first started', 'first ended', 'second started']);
  });

  it('gives up with ModelUnavailableError after maxWaitMs', async () => {
    const clock = new FakeClock(0);
    const gateway = createModelGateway({
      models: { only: { model: scripted([GOOD]), rpm: 1 } },
      maxWaitMs: 500,
      clock,
    });
    const log: string[] = [];
    await call(gateway.model('only'), log);
    const waiting = call(gateway.model('only'), log).catch((e: unknown) => e);
    await clock.advance(500);
    const error = await waiting;
    expect(isModelUnavailableError(error)).toBe(true);
    expect((error as Error).message).toContain('only: rpm limit reached');
    expect(log).toEqual(['only']);
  });

  it('opens a model’s breaker on failures, fails fast while open and probes after the reset', async () => {
    const clock = new FakeClock(0);
    const gateway = createModelGateway({
      models: {
        only: { model: scripted([GOOD]), breaker: { failureThreshold: 1, resetAfterMs: 1_000 } },
      },
      clock,
    });
    const model = gateway.model('only');
    let calls = 0;
    const failing = () =>
      model.invoke(REQUEST, async () => {
        calls++;
        throw new Error('provider down');
      });
    const first = await failing().catch((e: unknown) => e);
    expect(isModelUnavailableError(first)).toBe(true);
    expect((first as Error).cause).toEqual(new Error('provider down'));
    const fast = await failing().catch((e: unknown) => e);
    expect((fast as Error).message).toContain('breaker open');
    expect(calls).toBe(1);
    await clock.advance(1_000);
    const log: string[] = [];
    await call(model, log);
    expect(log).toEqual(['only']);
    expect(gateway.stats()[0]!.breaker).toBe('closed');
  });

  it('neither falls back nor blames the breaker when the caller aborts', async () => {
    const gateway = createModelGateway({
      models: {
        a: { model: scripted([GOOD]), breaker: { failureThreshold: 1 } },
        b: { model: scripted([GOOD]) },
      },
      fallbacks: { a: ['b'] },
    });
    const abort = new AbortController();
    const log: string[] = [];
    const error = await gateway
      .model('a')
      .invoke({ ...REQUEST, signal: abort.signal }, async (m) => {
        log.push(m.id);
        abort.abort(new Error('cancelled'));
        throw new Error('aborted mid-call');
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('aborted mid-call');
    expect(log).toEqual(['a']);
    expect(gateway.stats()[0]!.breaker).toBe('closed');
  });

  it('rejects bad options with InvalidArgumentError naming them', () => {
    const model = scripted([GOOD]);
    const bad: [unknown, string][] = [
      [{ models: {} }, 'models'],
      [{ models: { a: { model, rpm: 0 } } }, 'models.a.rpm'],
      [{ models: { a: { model } }, fallbacks: { a: ['zzz'] } }, 'fallbacks.a'],
      [{ models: { a: { model } }, fallbacks: { toString: ['a'] } }, 'fallbacks.toString'],
      [{ models: { a: { model } }, windowMs: -1 }, 'windowMs'],
      [{ models: { a: { model } }, runBudget: { maxCostUsd: 'lots' } }, 'runBudget.maxCostUsd'],
    ];
    for (const [options, name] of bad) {
      let error: unknown;
      try {
        createModelGateway(options as never);
      } catch (e) {
        error = e;
      }
      expect(isInvalidArgumentError(error), name).toBe(true);
      expect((error as Error).message).toContain(name);
    }
    expect(() => createModelGateway({ models: { a: { model } } }).model('b')).toThrow(
      /no model 'b'/,
    );
  });
});

describe('budgets', () => {
  const explainer = (model: ReturnType<typeof scripted> | GatewayModel, budget?: object) =>
    llmAgent({
      name: 'explain',
      version: '1.0.0',
      model,
      input: Decision,
      output: Explanation,
      prices: { 'mock-model': { input: 1, output: 1 } },
      ...(budget ? { budget } : {}),
    });

  it('stops re-asking once a step has spent its token budget', async () => {
    const model = scripted(['not json']);
    const error = await Promise.resolve(
      explainer(model, { maxTokens: TOKENS.input + TOKENS.output + 1 }).execute(
        DECLINED,
        agentContext().ctx,
      ),
    ).catch((e: unknown) => e);
    expect(isBudgetExceededError(error)).toBe(true);
    expect(error).toMatchObject({ scope: 'step', resource: 'tokens', used: 240, limit: 121 });
    expect(model.doGenerateCalls).toHaveLength(2); // the second call went over: no third
  });

  it('enforces a cost budget from the price table, and needs a price to do so', async () => {
    const model = scripted(['not json']);
    const cost = (TOKENS.input + TOKENS.output) / 1e6;
    const error = await Promise.resolve(
      explainer(model, { maxCostUsd: cost }).execute(DECLINED, agentContext().ctx),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', resource: 'cost', limit: cost });
    expect(model.doGenerateCalls).toHaveLength(1); // spent exactly: no second call starts
    const unpriced = scripted([GOOD], { modelId: 'no-price' });
    const refused = await Promise.resolve(
      explainer(unpriced, { maxCostUsd: 1 }).execute(DECLINED, agentContext().ctx),
    ).catch((e: unknown) => e);
    expect(isInvalidArgumentError(refused)).toBe(true);
  });

  it('stops a run at its gateway budget: no model call once the run has spent it', async () => {
    const model = scripted([GOOD]);
    const gateway = createModelGateway({
      models: { m: { model } },
      runBudget: { maxTokens: 2 * (TOKENS.input + TOKENS.output) },
    });
    const step = explainer(gateway.model('m'));
    const f = workflow('three-explanations', { version: 1, input: Decision })
      .step('first', step, { input: (s) => s.input })
      .step('second', step, { needs: ['first'], input: (s) => s.input })
      .step('third', step, { needs: ['second'], input: (s) => s.input })
      .output((s) => s.third);
    env = llmRuntime([f]);
    const run = await env.rt.start(f, DECLINED);
    const error = await run.result().catch((e: unknown) => e);
    expect(isRunFailedError(error)).toBe(true);
    const record = await env.rt.getRun(run.id);
    expect(record.error).toMatchObject({ code: 'BUDGET_EXCEEDED', step: 'third' });
    expect(record.error?.details).toMatchObject({ scope: 'run', runId: run.id, used: 240 });
    expect(model.doGenerateCalls).toHaveLength(2);
    // The agent's price table priced the calls: $1 per million tokens.
    expect(gateway.runSpent(run.id)).toEqual({ tokens: 240, costUsd: 240 / 1e6 });
  });
});
