/** Row 4: every duration is checked against the longest timer Node.js supports. */
import { describe, expect, it } from 'vitest';
import {
  agent,
  createRuntime,
  isInvalidArgumentError,
  isInvalidDefinitionError,
  memoryStore,
  type Policy,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { Num } from './fixtures.js';

const TOO_LONG = 2 ** 32;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function withPolicy(policy: Policy) {
  return () =>
    agent({
      name: 'timed',
      version: '1.0.0',
      input: Num,
      output: Num,
      policy,
      execute: async (n: number) => n,
    });
}

describe('durations', () => {
  it.each([
    ['timeoutMs', { timeoutMs: TOO_LONG }],
    ['retry.backoff.initialMs', { retry: { backoff: { initialMs: 1e12, maxMs: 1e12 } } }],
    ['retry.backoff.maxMs', { retry: { backoff: { maxMs: TOO_LONG } } }],
    ['breaker.resetAfterMs', { breaker: { failureThreshold: 3, resetAfterMs: TOO_LONG } }],
  ] as const)('refuses policy.%s beyond 2,147,483,647 ms', (field, policy) => {
    const e = thrown(withPolicy(policy as Policy));
    expect(isInvalidDefinitionError(e)).toBe(true);
    expect((e as Error).message).toContain(`policy.${field} must be`);
    expect((e as Error).message).toContain('at most 2147483647 ms');
  });

  it('accepts the bound itself and Infinity as no limit, and such an agent completes', async () => {
    expect(thrown(withPolicy({ timeoutMs: 2_147_483_647 }))).toBeUndefined();
    const a = withPolicy({ timeoutMs: Infinity })();
    const wf = workflow('no-limit', { version: 1, input: Num })
      .step('a', a, { input: (s) => s.input })
      .output((s) => s.a);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    try {
      const run = await rt.start(wf, 5);
      expect(await run.result()).toBe(5);
    } finally {
      await rt.close();
    }
  });

  it('refuses a wait timeout, lease, poll and busy timeout beyond the bound', () => {
    const wait = thrown(() =>
      workflow('w', { version: 1, input: Num }).wait('review', {
        contract: Num,
        timeoutMs: TOO_LONG,
      }),
    );
    expect(isInvalidDefinitionError(wait)).toBe(true);
    expect((wait as Error).message).toContain('at most 2147483647 ms');
    for (const option of ['leaseMs', 'pollMs'] as const) {
      const e = thrown(() => createRuntime({ store: memoryStore(), [option]: TOO_LONG }));
      expect(isInvalidArgumentError(e)).toBe(true);
      expect((e as Error).message).toContain(`options.${option} must be at most 2147483647 ms`);
    }
    const busy = thrown(() => sqliteStore(':memory:', { busyTimeoutMs: TOO_LONG }));
    expect(isInvalidArgumentError(busy)).toBe(true);
  });
});
