import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  isGuardViolationError,
  isInvalidArgumentError,
  type StateStore,
  sqliteStore,
} from '../../src/index.js';
import {
  createModelGateway,
  guard,
  type LlmCallSettings,
  llmAgent,
  memoryResponseCache,
  type ResponseCache,
  storeResponseCache,
} from '../../src/llm/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { tempDbPath } from '../support/temp-db.js';
import {
  agentContext,
  DECLINED,
  Decision,
  type DecisionData,
  Explanation,
  type ExplanationData,
  GOOD,
  scripted,
} from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const DETERMINISTIC: LlmCallSettings = { temperature: 0 };

/** An explain agent on a one-model gateway with `cache`. */
function explainer(
  model: ReturnType<typeof scripted>,
  cache: ResponseCache | undefined,
  settings: LlmCallSettings = DETERMINISTIC,
  extra: {
    cacheNonDeterministic?: boolean;
    guards?: Parameters<typeof llmAgent>[0]['guards'];
  } = {},
) {
  const gateway = createModelGateway({
    models: { main: { model, price: { input: 1, output: 2 } } },
    ...(cache ? { cache } : {}),
    ...(extra.cacheNonDeterministic !== undefined
      ? { cacheNonDeterministic: extra.cacheNonDeterministic }
      : {}),
  });
  return llmAgent<DecisionData, ExplanationData>({
    name: 'explain',
    version: '1.0.0',
    model: gateway.model('main'),
    input: Decision,
    output: Explanation,
    settings,
    ...(extra.guards ? { guards: extra.guards } : {}),
  });
}

async function execute(a: ReturnType<typeof explainer>, input: DecisionData = DECLINED) {
  const { ctx, usage } = agentContext();
  const output = await a.execute(input, ctx);
  return { output, usage };
}

describe('the response cache', () => {
  it('is off by default: the same deterministic prompt calls the model every time', async () => {
    const model = scripted([GOOD]);
    const a = explainer(model, undefined);
    await execute(a);
    await execute(a);
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it('answers a repeated deterministic prompt with no model call, zero cost, marked cached', async () => {
    const model = scripted([GOOD]);
    const a = explainer(model, memoryResponseCache());
    const first = await execute(a);
    const second = await execute(a);
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(second.output).toEqual(first.output);
    expect(first.usage[0]).toMatchObject({ inputTokens: 100, outputTokens: 20 });
    expect(first.usage[0]!.attributes?.['baton.llm.cache_hit']).toBeUndefined();
    expect(second.usage[0]).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(second.usage[0]!.attributes).toMatchObject({ 'baton.llm.cache_hit': true });
    // Another input is another prompt.
    await execute(a, { ...DECLINED, applicant: 'A-18' });
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it('never caches non-deterministic settings unless the gateway asks for it', async () => {
    for (const settings of [{}, { temperature: 0.7 }] as LlmCallSettings[]) {
      const model = scripted([GOOD]);
      const a = explainer(model, memoryResponseCache(), settings);
      await execute(a);
      await execute(a);
      expect(model.doGenerateCalls).toHaveLength(2);
    }
    const seeded = scripted([GOOD]);
    const withSeed = explainer(seeded, memoryResponseCache(), { temperature: 0.7, seed: 42 });
    await execute(withSeed);
    await execute(withSeed);
    expect(seeded.doGenerateCalls).toHaveLength(1);
    const asked = scripted([GOOD]);
    const a = explainer(asked, memoryResponseCache(), {}, { cacheNonDeterministic: true });
    await execute(a);
    await execute(a);
    expect(asked.doGenerateCalls).toHaveLength(1);
  });

  it('keys on the settings: the same prompt with other parameters is a miss', async () => {
    const model = scripted([GOOD]);
    const cache = memoryResponseCache();
    await execute(explainer(model, cache, { temperature: 0 }));
    await execute(explainer(model, cache, { temperature: 0, maxOutputTokens: 500 }));
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it('still validates a cached answer: guards and the contract see it like a fresh one', async () => {
    const model = scripted([GOOD]);
    const cache = memoryResponseCache();
    await execute(explainer(model, cache));
    const strict = explainer(model, cache, DETERMINISTIC, {
      guards: [
        guard<DecisionData, ExplanationData>({
          name: 'one-reason',
          stage: 'output',
          checkOutput: (o) =>
            o.reasons.length <= 1 ? { ok: true } : { ok: false, reason: 'too many reasons' },
        }),
      ],
    });
    const error = await execute(strict).catch((e: unknown) => e);
    expect(isGuardViolationError(error)).toBe(true);
    expect(model.doGenerateCalls).toHaveLength(1); // the refused answer came from the cache
  });

  it('shares a store-backed cache between gateways on one store, until the TTL', async () => {
    const db = tempDbPath('llm-cache');
    cleanups.push(db.remove);
    const clock = new FakeClock(1_000_000);
    const open = async (): Promise<StateStore> => {
      const store = sqliteStore(db.path);
      await store.migrate();
      cleanups.push(() => store.close());
      return store;
    };
    const [one, two] = [await open(), await open()];
    const model = scripted([GOOD]);
    const a = explainer(model, storeResponseCache(one, { ttlMs: 60_000, clock }));
    const b = explainer(model, storeResponseCache(two, { ttlMs: 60_000, clock }));
    await execute(a);
    const second = await execute(b);
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(second.usage[0]!.attributes).toMatchObject({ 'baton.llm.cache_hit': true });
    expect(await one.queryRecords({ kind: 'llm-cache' })).toHaveLength(1);
    await clock.advance(60_000);
    await execute(b);
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it('never caches a call with tools (the tool agents must run)', async () => {
    const Lookup = contract('test.lookup@1', z.object({ id: z.string() }));
    const lookup = agent({
      name: 'lookup',
      version: '1.0.0',
      input: Lookup,
      output: Lookup,
      execute: (i) => ({ id: i.id }),
    });
    const model = scripted([GOOD]);
    const gateway = createModelGateway({
      models: { main: { model } },
      cache: memoryResponseCache(),
    });
    const a = llmAgent<DecisionData, ExplanationData>({
      name: 'explain',
      version: '1.0.0',
      model: gateway.model('main'),
      input: Decision,
      output: Explanation,
      tools: { lookup },
      settings: DETERMINISTIC,
    });
    await execute(a);
    await execute(a);
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it('evicts the least recently used entry of the memory cache and honours its TTL', async () => {
    const clock = new FakeClock(0);
    const cache = memoryResponseCache({ maxEntries: 2, ttlMs: 100, clock });
    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(await cache.get('a')).toBe(1); // a is now the most recent
    await cache.set('c', 3);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('c')).toBe(3);
    await clock.advance(100);
    expect(await cache.get('c')).toBeUndefined();
  });

  it('rejects bad options', () => {
    const store = sqliteStore(':memory:');
    for (const make of [
      () => memoryResponseCache({ maxEntries: 0 }),
      () => memoryResponseCache({ ttlMs: -1 }),
      () => storeResponseCache(store, {} as never),
      () => storeResponseCache({} as never, { ttlMs: 1 }),
      () => createModelGateway({ models: { m: { model: scripted([GOOD]) } }, cache: {} as never }),
    ]) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(isInvalidArgumentError(error)).toBe(true);
    }
  });
});
