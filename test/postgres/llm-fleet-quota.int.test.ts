/**
 * Fleet-wide model limits on PostgreSQL: two worker processes on one schema share one request
 * limit and one concurrency limit per model, counted from the requests a real HTTP server saw.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { isModelUnavailableError } from '../../src/index.js';
import { createModelGateway } from '../../src/llm/index.js';
import { countingServer } from '../llm/fleet/counting-server.js';
import { runQuotaChild } from '../llm/fleet/spawn-child.js';
import { scripted } from '../llm/helpers.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

describeWithPostgres('fleet-wide model limits on PostgreSQL', () => {
  const schema = uniqueSchema('llm_quota');
  const store = { kind: 'postgres' as const, url: POSTGRES_URL, schema };

  beforeAll(async () => {
    const s = postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 });
    await s.migrate();
    await s.close();
  });
  afterAll(() => dropSchema(schema));

  it('makes two gateways on one schema share the request limit of a model', async () => {
    const s = postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 });
    await s.migrate();
    try {
      const options = {
        models: { local: { model: scripted(['{}']), rpm: 1 } },
        windowMs: 600_000,
        maxWaitMs: 50,
        store: s,
      };
      const call = (id: string) =>
        createModelGateway(options)
          .model('local')
          .invoke({ runId: id, estimateTokens: 1 }, async () => ({
            value: id,
            tokens: { inputTokens: 1, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 },
          }));
      expect((await call('a')).value).toBe('a');
      const second = await call('b').catch((e: unknown) => e);
      expect(isModelUnavailableError(second)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('holds one request limit for two worker processes together', async () => {
    const server = await countingServer();
    try {
      const common = {
        store,
        baseURL: server.baseURL,
        calls: 10,
        rpm: 8,
        // One window spans the whole test: the server may see at most `rpm` requests in all.
        windowMs: 600_000,
        maxWaitMs: 400,
      };
      const reports = await Promise.all([
        runQuotaChild({ ...common, name: 'w1' }),
        runQuotaChild({ ...common, name: 'w2' }),
      ]);
      expect(server.log.length).toBe(8);
      expect(reports.reduce((n, r) => n + r.ok, 0)).toBe(8);
      expect(reports.reduce((n, r) => n + (r.codes.MODEL_UNAVAILABLE ?? 0), 0)).toBe(12);
    } finally {
      await server.close();
    }
  });

  it('holds one concurrency limit for two worker processes together', async () => {
    const server = await countingServer({ delayMs: 60 });
    try {
      const common = {
        store,
        baseURL: server.baseURL,
        calls: 6,
        concurrency: 2,
        windowMs: 60_000,
        maxWaitMs: 30_000,
      };
      const reports = await Promise.all([
        runQuotaChild({ ...common, name: 'c1' }),
        runQuotaChild({ ...common, name: 'c2' }),
      ]);
      expect(reports.map((r) => r.ok)).toEqual([6, 6]);
      expect(server.log.length).toBe(12);
      expect(server.maxInFlight()).toBeLessThanOrEqual(2);
    } finally {
      await server.close();
    }
  });
});
