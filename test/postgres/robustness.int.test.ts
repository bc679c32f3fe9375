/** Row 14 on a real PostgreSQL: the id rules of every backend, and connection faults named. */
import { afterEach, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import {
  createRuntime,
  isInvalidArgumentError,
  isStoreUnavailableError,
  type Runtime,
  workflow,
} from '../../src/index.js';
import { Num, numAgent } from '../robustness/fixtures.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

const schemas: string[] = [];
const runtimes: Runtime[] = [];

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
  for (const s of schemas.splice(0)) await dropSchema(s);
});

describeWithPostgres('PostgreSQL robustness', () => {
  it('a run id with NUL is an InvalidArgumentError, not a raw DatabaseError 22021', async () => {
    const schema = uniqueSchema('robust');
    schemas.push(schema);
    const a = numAgent('a');
    const wf = workflow('pg-nul', { version: 1, input: Num })
      .step('a', a.agent, { input: (s) => s.input })
      .output((s) => s.a);
    const rt = createRuntime({
      store: postgresStore({ connectionString: POSTGRES_URL, schema }),
      workflows: [wf],
    });
    runtimes.push(rt);
    const e = await rt.start(wf, 1, { runId: 'bad\u0000id' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain('must not contain a NUL');
    const ok = await rt.start(wf, 1, { runId: 'good-id' });
    expect(await ok.result()).toBe(2);
  });
});

describeWithPostgres('PostgreSQL connection faults say what happened', () => {
  it('never connected, stalled and lost are three different retryable errors', async () => {
    const schema = uniqueSchema('faultmsg');
    schemas.push(schema);
    const target = new URL(POSTGRES_URL);
    const proxy = await startFaultProxy({
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    const store = postgresStore({
      connectionString: proxy.url(POSTGRES_URL),
      schema,
      poolSize: 1,
      connectTimeoutMs: 500,
      queryTimeoutMs: 400,
    });
    try {
      proxy.mode('drop');
      const never = await store.migrate().catch((e: unknown) => e);
      expect(isStoreUnavailableError(never)).toBe(true);
      expect((never as Error).message).toContain('could not connect to PostgreSQL');
      expect((never as Error).message).not.toContain('lost');
      proxy.mode('pass');
      await store.migrate();
      expect(await store.getRun('none')).toBeUndefined();
      proxy.mode('stall');
      const stalled = await store.getRun('none').catch((e: unknown) => e);
      expect(isStoreUnavailableError(stalled)).toBe(true);
      expect((stalled as Error).message).toContain('did not answer within queryTimeoutMs (400 ms)');
      proxy.mode('pass');
      expect(await store.getRun('none')).toBeUndefined();
      proxy.armReset('request');
      const lost = await store.getRun('none').catch((e: unknown) => e);
      expect(isStoreUnavailableError(lost)).toBe(true);
      expect((lost as Error).message).toContain('lost the connection');
      expect(await store.getRun('none')).toBeUndefined();
    } finally {
      await store.close();
      await proxy.close();
    }
  });
});
