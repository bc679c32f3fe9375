import { afterEach, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { isCircuitOpenError } from '../../src/errors.js';
import type { StateStore } from '../../src/ledger/store.js';
import { createSharedBreakerFactory } from '../../src/resilience/shared-breaker.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describeWithPostgres('shared breakers on PostgreSQL', () => {
  it('one runtime tripping the breaker makes another runtime, on its own pool, fail fast', async () => {
    const schema = uniqueSchema('breakers');
    const stores: StateStore[] = [0, 1].map(() =>
      postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 }),
    );
    cleanup = async () => {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    };
    for (const s of stores) await s.migrate();
    const policy = { failureThreshold: 2, resetAfterMs: 60_000 };
    const [a, b] = stores.map((store, i) =>
      createSharedBreakerFactory({ store, instance: `rt-${i}`, syncMs: 0 })({
        name: 'fraud@1.0.0',
        policy,
      }),
    );
    for (let i = 0; i < 2; i++) {
      await expect(a!.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    }
    // The transition record is written asynchronously; B sees it once it is committed.
    for (let i = 0; i < 1000; i++) {
      const [r] = await stores[1]!.queryRecords({ kind: 'breaker', key: 'fraud@1.0.0' });
      if (r) break;
    }
    let called = false;
    const error = await b!
      .execute(async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(called).toBe(false);
    expect(b!.snapshot()).toMatchObject({ state: 'open' });
  });
});
