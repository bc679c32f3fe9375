import { describe, expect, it } from 'vitest';
import { FakeClock } from '../testing/fake-clock.js';
import type { BreakerTransition } from './circuit-breaker.js';
import { createGuardRegistry } from './guard-registry.js';

describe('guard registry', () => {
  it('hands out one guard per agent id, shared across callers', () => {
    const registry = createGuardRegistry({ clock: new FakeClock() });
    const a = registry.guard('score@1.0.0');
    expect(registry.guard('score@1.0.0')).toBe(a);
    expect(registry.guard('score@2.0.0')).not.toBe(a);
    expect(registry.ids().sort()).toEqual(['score@1.0.0', 'score@2.0.0']);
  });

  it('resolves the first caller layers over the registry defaults', () => {
    const registry = createGuardRegistry({
      clock: new FakeClock(),
      defaults: { timeoutMs: 1_000, concurrency: 4 },
    });
    const g = registry.guard('risk@1', undefined, { timeoutMs: 50 });
    expect(g.policy.timeoutMs).toBe(50);
    expect(g.policy.concurrency).toBe(4);
    // Later layers do not change an existing guard: its limits are shared state.
    expect(registry.guard('risk@1', { timeoutMs: 9 }).policy.timeoutMs).toBe(50);
  });

  it('lists breakers sorted by name, omitting guards without one', async () => {
    const clock = new FakeClock(5);
    const transitions: BreakerTransition[] = [];
    const registry = createGuardRegistry({
      clock,
      defaults: { retry: { maxAttempts: 1 }, breaker: { failureThreshold: 1 } },
      onTransition: (t) => {
        transitions.push(t);
      },
    });
    registry.guard('zeta@1');
    registry.guard('nobreaker@1', { breaker: false });
    await expect(
      registry.guard('alpha@1').run(async () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    expect(registry.breakers().map((b) => [b.name, b.state])).toEqual([
      ['alpha@1', 'open'],
      ['zeta@1', 'closed'],
    ]);
    expect(transitions).toEqual([
      {
        breaker: 'alpha@1',
        from: 'closed',
        to: 'open',
        at: 5,
        reason: '1 consecutive failure (last: Error: down)',
      },
    ]);
  });
});
