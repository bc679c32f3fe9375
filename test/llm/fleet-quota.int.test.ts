/**
 * Fleet-wide model limits: gateways on one store share one rpm, tpm and concurrency budget per
 * model, across processes; a store that cannot be reached makes a call wait, then fail typed,
 * never call without a grant. The two-process tests run real child processes on one SQLite file
 * against a real HTTP server, and count the requests the server received.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  isInvalidArgumentError,
  isModelUnavailableError,
  isStoreUnavailableError,
  memoryStore,
  sqliteStore,
} from '../../src/index.js';
import { createModelGateway, type GatewayModel, type TokenCount } from '../../src/llm/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { type CountingServer, countingServer } from './fleet/counting-server.js';
import { runQuotaChild } from './fleet/spawn-child.js';
import { scripted } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tokens = (n: number): TokenCount => ({
  inputTokens: n,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
});

/** One call through `model` that logs `label` when the model is really called. */
function call(model: GatewayModel, log: string[], label: string, used = 10) {
  return model.invoke({ runId: label, estimateTokens: 10 }, async () => {
    log.push(label);
    return { value: label, tokens: tokens(used) };
  });
}

async function server(opts: Parameters<typeof countingServer>[0] = {}): Promise<CountingServer> {
  const s = await countingServer(opts);
  cleanups.push(() => s.close());
  return s;
}

async function sharedFile(): Promise<string> {
  const db = tempDbPath('fleet-quota');
  const store = sqliteStore(db.path);
  await store.migrate();
  await store.close();
  cleanups.push(db.remove);
  return db.path;
}

describe('fleet-wide model limits in one process', () => {
  it('makes two gateways on one store share the request limit of a model', async () => {
    const store = memoryStore();
    const options = {
      models: { m: { model: scripted(['{}']), rpm: 2 } },
      windowMs: 60_000,
      maxWaitMs: 50,
      store,
    };
    const a = createModelGateway(options).model('m');
    const b = createModelGateway(options).model('m');
    const log: string[] = [];
    await call(a, log, 'a1');
    await call(b, log, 'b1');
    const third = await call(a, log, 'a2').catch((e: unknown) => e);
    expect(isModelUnavailableError(third)).toBe(true);
    expect(String((third as Error).message)).toContain('rpm limit reached');
    expect(log).toEqual(['a1', 'b1']);
  });

  it('settles reserved tokens to what the call used, for every gateway on the store', async () => {
    const store = memoryStore();
    const options = {
      models: { m: { model: scripted(['{}']), tpm: 30 } },
      windowMs: 60_000,
      maxWaitMs: 50,
      store,
    };
    const a = createModelGateway(options).model('m');
    const b = createModelGateway(options).model('m');
    const log: string[] = [];
    // Each call reserves 10 and uses 5: four fit in 30 once settled, though only three would
    // fit at the estimate.
    for (const [g, label] of [
      [a, 'a1'],
      [b, 'b1'],
      [a, 'a2'],
      [b, 'b2'],
    ] as const)
      await call(g, log, label, 5);
    expect(log).toEqual(['a1', 'b1', 'a2', 'b2']);
    // 20 used + 10 estimated = 30 still fits; one more would not.
    expect((await call(a, log, 'a3', 5)).value).toBe('a3');
    const over = await call(b, log, 'b3', 5).catch((e: unknown) => e);
    expect(isModelUnavailableError(over)).toBe(true);
    expect(String((over as Error).message)).toContain('tpm limit reached');
  });

  it('waits for a store that cannot be reached, then fails typed without calling the model', async () => {
    const db = tempDbPath('fleet-down');
    cleanups.push(db.remove);
    const store = sqliteStore(db.path);
    await store.migrate();
    await store.close();
    const gateway = createModelGateway({
      models: { m: { model: scripted(['{}']), rpm: 100 } },
      maxWaitMs: 200,
      store,
    });
    const log: string[] = [];
    const err = await call(gateway.model('m'), log, 'x').catch((e: unknown) => e);
    expect(isStoreUnavailableError(err)).toBe(true);
    expect(String((err as Error).message)).toContain('quota store could not be reached');
    expect(log).toEqual([]);
  });

  it('rejects a store option that is not a Baton store', () => {
    let err: unknown;
    try {
      createModelGateway({
        models: { m: { model: scripted(['{}']) } },
        store: {} as never,
      });
    } catch (e) {
      err = e;
    }
    expect(isInvalidArgumentError(err)).toBe(true);
    expect(String((err as Error).message)).toContain('store');
  });
});

describe('fleet-wide model limits across processes on one SQLite file', () => {
  it('holds one request limit for two worker processes together', async () => {
    const path = await sharedFile();
    const s = await server();
    const common = {
      store: { kind: 'sqlite' as const, path },
      baseURL: s.baseURL,
      calls: 10,
      rpm: 10,
      // One window spans the whole test: the server may see at most `rpm` requests in all.
      windowMs: 600_000,
      maxWaitMs: 400,
    };
    const reports = await Promise.all([
      runQuotaChild({ ...common, name: 'w1' }),
      runQuotaChild({ ...common, name: 'w2' }),
    ]);
    expect(s.log.length).toBe(10);
    expect(reports.reduce((n, r) => n + r.ok, 0)).toBe(10);
    expect(reports.reduce((n, r) => n + (r.codes.MODEL_UNAVAILABLE ?? 0), 0)).toBe(10);
  });

  it('holds one concurrency limit for two worker processes together', async () => {
    const path = await sharedFile();
    const s = await server({ delayMs: 60 });
    const common = {
      store: { kind: 'sqlite' as const, path },
      baseURL: s.baseURL,
      calls: 6,
      concurrency: 2,
      windowMs: 60_000,
      maxWaitMs: 30_000,
    };
    const reports = await Promise.all([
      runQuotaChild({ ...common, name: 'w1' }),
      runQuotaChild({ ...common, name: 'w2' }),
    ]);
    expect(reports.map((r) => r.ok)).toEqual([6, 6]);
    expect(s.log.length).toBe(12);
    expect(s.maxInFlight()).toBeLessThanOrEqual(2);
  });
});
