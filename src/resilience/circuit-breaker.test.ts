import { describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  ContractViolationError,
  isCircuitOpenError,
  StepTimeoutError,
} from '../errors.js';
import { FakeClock } from '../testing/fake-clock.js';
import {
  type BreakerTransition,
  createCircuitBreaker,
  defaultCountsAsFailure,
} from './circuit-breaker.js';

const POLICY = { failureThreshold: 3, resetAfterMs: 1_000 };

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(policy = POLICY) {
  const clock = new FakeClock(10_000);
  const transitions: BreakerTransition[] = [];
  const breaker = createCircuitBreaker({
    name: 'score@1.0.0',
    policy,
    clock,
    onTransition: (t) => {
      transitions.push(t);
    },
  });
  let calls = 0;
  const fail = () =>
    breaker.execute(async () => {
      calls++;
      throw new Error('boom');
    });
  const succeed = () =>
    breaker.execute(async () => {
      calls++;
      return 'ok';
    });
  const failTimes = async (n: number) => {
    for (let i = 0; i < n; i++) await expect(fail()).rejects.toThrow('boom');
  };
  return { clock, breaker, transitions, fail, succeed, failTimes, calls: () => calls };
}

describe('circuit breaker', () => {
  it('stays closed below the threshold and a success resets the count', async () => {
    const b = setup();
    await b.failTimes(2);
    expect(b.breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
    await expect(b.succeed()).resolves.toBe('ok');
    expect(b.breaker.snapshot().consecutiveFailures).toBe(0);
    await b.failTimes(2);
    expect(b.breaker.snapshot().state).toBe('closed');
    expect(b.transitions).toEqual([]);
  });

  it('opens after failureThreshold consecutive failures and records the transition', async () => {
    const b = setup();
    await b.failTimes(3);
    expect(b.transitions).toEqual([
      {
        breaker: 'score@1.0.0',
        from: 'closed',
        to: 'open',
        at: 10_000,
        reason: '3 consecutive failures (last: Error: boom)',
      },
    ]);
    expect(b.breaker.snapshot()).toEqual({
      name: 'score@1.0.0',
      state: 'open',
      consecutiveFailures: 3,
      openedAt: 10_000,
      retryAfterMs: 1_000,
      since: 10_000,
      reason: '3 consecutive failures (last: Error: boom)',
    });
  });

  it('fails fast while open without calling the function, with the time left', async () => {
    const b = setup();
    await b.failTimes(3);
    const callsWhenOpened = b.calls();
    await b.clock.advance(400);
    for (let i = 0; i < 10; i++) {
      const err = await b.succeed().catch((e: unknown) => e);
      expect(isCircuitOpenError(err)).toBe(true);
      expect(err).toBeInstanceOf(CircuitOpenError);
      expect((err as CircuitOpenError).retryAfterMs).toBe(600);
      expect((err as CircuitOpenError).breaker).toBe('score@1.0.0');
    }
    expect(b.calls()).toBe(callsWhenOpened);
  });

  it('lets one probe through after resetAfterMs; a successful probe closes it', async () => {
    const b = setup();
    await b.failTimes(3);
    await b.clock.advance(1_000);
    await expect(b.succeed()).resolves.toBe('ok');
    expect(b.transitions.map((t) => [t.from, t.to, t.at])).toEqual([
      ['closed', 'open', 10_000],
      ['open', 'half-open', 11_000],
      ['half-open', 'closed', 11_000],
    ]);
    expect(b.transitions[1]?.reason).toBe('reset period of 1000 ms elapsed; probing');
    expect(b.transitions[2]?.reason).toBe('probe succeeded');
    expect(b.breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(b.breaker.snapshot().openedAt).toBeUndefined();
  });

  it('reopens on a failed probe and restarts the reset timer', async () => {
    const b = setup();
    await b.failTimes(3);
    await b.clock.advance(1_000);
    await expect(b.fail()).rejects.toThrow('boom');
    expect(b.transitions.slice(1).map((t) => [t.from, t.to, t.reason])).toEqual([
      ['open', 'half-open', 'reset period of 1000 ms elapsed; probing'],
      ['half-open', 'open', 'probe failed: Error: boom'],
    ]);
    expect(b.breaker.snapshot()).toMatchObject({ state: 'open', openedAt: 11_000 });
    await b.clock.advance(999);
    const calls = b.calls();
    await expect(b.succeed()).rejects.toSatisfy(isCircuitOpenError);
    expect(b.calls()).toBe(calls);
    await b.clock.advance(1);
    await expect(b.succeed()).resolves.toBe('ok');
    expect(b.breaker.snapshot().state).toBe('closed');
  });

  it('admits exactly one probe among 100 concurrent calls in half-open', async () => {
    const b = setup();
    await b.failTimes(3);
    await b.clock.advance(1_000);
    const gate = deferred<string>();
    let invoked = 0;
    const results = Array.from({ length: 100 }, () =>
      b.breaker
        .execute(() => {
          invoked++;
          return gate.promise;
        })
        .then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        ),
    );
    expect(invoked).toBe(1);
    expect(b.breaker.snapshot()).toMatchObject({ state: 'half-open', retryAfterMs: 1_000 });
    gate.resolve('probe');
    const settled = await Promise.all(results);
    expect(invoked).toBe(1);
    expect(settled.filter((r) => r.ok)).toEqual([{ ok: true, v: 'probe' }]);
    const rejected = settled.filter((r) => !r.ok);
    expect(rejected).toHaveLength(99);
    expect(rejected.every((r) => isCircuitOpenError(r.e))).toBe(true);
    expect(b.breaker.snapshot().state).toBe('closed');
  });

  it('respects the caller classifier: uncounted errors never open it', async () => {
    const b = setup();
    for (let i = 0; i < 10; i++) {
      await expect(
        b.breaker.execute(
          async () => {
            throw new Error('caller bug');
          },
          { countsAsFailure: () => false },
        ),
      ).rejects.toThrow('caller bug');
    }
    expect(b.breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('an uncounted probe outcome frees the probe slot without a transition', async () => {
    const b = setup();
    await b.failTimes(3);
    await b.clock.advance(1_000);
    await expect(
      b.breaker.execute(
        async () => {
          throw new Error('bad input');
        },
        { countsAsFailure: () => false },
      ),
    ).rejects.toThrow('bad input');
    expect(b.breaker.snapshot().state).toBe('half-open');
    const count = b.transitions.length;
    await expect(b.succeed()).resolves.toBe('ok');
    expect(b.breaker.snapshot().state).toBe('closed');
    expect(b.transitions.length).toBe(count + 1);
  });

  it('a throwing classifier counts the failure rather than holding the probe slot', async () => {
    const b = setup();
    await b.failTimes(3);
    await b.clock.advance(1_000);
    const classify = () => {
      throw new Error('classifier bug');
    };
    await expect(
      b.breaker.execute(
        async () => {
          throw new Error('x');
        },
        { countsAsFailure: classify },
      ),
    ).rejects.toThrow('x');
    expect(b.breaker.snapshot()).toMatchObject({ state: 'open', openedAt: 11_000 });
  });

  it('ignores the outcome of a slow call admitted before the breaker opened', async () => {
    const b = setup();
    const slow = deferred<string>();
    const pending = b.breaker.execute(() => slow.promise);
    await b.failTimes(3);
    slow.resolve('late');
    await expect(pending).resolves.toBe('late');
    expect(b.breaker.snapshot().state).toBe('open');
  });

  it('counts only one opening when concurrent failures cross the threshold together', async () => {
    const b = setup();
    const gates = Array.from({ length: 5 }, () => deferred<never>());
    const calls = gates.map((g) => b.breaker.execute(() => g.promise).catch(() => undefined));
    for (const g of gates) g.reject(new Error('down'));
    await Promise.all(calls);
    expect(b.transitions.map((t) => t.to)).toEqual(['open']);
    expect(b.breaker.snapshot().consecutiveFailures).toBe(3);
  });

  it('a throwing or rejecting transition listener does not change the outcome', async () => {
    const clock = new FakeClock();
    for (const onTransition of [
      () => {
        throw new Error('listener');
      },
      () => Promise.reject(new Error('listener')),
    ]) {
      const breaker = createCircuitBreaker({ name: 'x', policy: POLICY, clock, onTransition });
      for (let i = 0; i < 3; i++) {
        await expect(
          breaker.execute(async () => {
            throw new Error('agent');
          }),
        ).rejects.toThrow('agent');
      }
      expect(breaker.snapshot().state).toBe('open');
    }
  });

  it('starts from a given state, as a store-backed breaker would', async () => {
    const b1 = setup();
    await b1.failTimes(3);
    const clock = new FakeClock(10_500);
    const restored = createCircuitBreaker({
      name: 'score@1.0.0',
      policy: POLICY,
      clock,
      initialState: b1.breaker.state(),
    });
    expect(restored.snapshot()).toMatchObject({ state: 'open', retryAfterMs: 500 });
    await expect(restored.execute(async () => 1)).rejects.toSatisfy(isCircuitOpenError);
  });
});

describe('defaultCountsAsFailure', () => {
  const violation = (boundary: ContractViolationError['boundary']) =>
    new ContractViolationError({ contractId: 'c@1', issues: [], boundary });

  it('counts timeouts, thrown errors and output-contract violations', () => {
    expect(defaultCountsAsFailure(new StepTimeoutError('s', 10))).toBe(true);
    expect(defaultCountsAsFailure(new Error('x'))).toBe(true);
    expect(defaultCountsAsFailure('a string')).toBe(true);
    expect(defaultCountsAsFailure(violation('agent-output'))).toBe(true);
  });

  it('does not count input-contract violations or breaker rejections', () => {
    expect(defaultCountsAsFailure(violation('agent-input'))).toBe(false);
    expect(defaultCountsAsFailure(violation('workflow-input'))).toBe(false);
    expect(defaultCountsAsFailure(new CircuitOpenError('b', 5))).toBe(false);
  });
});
