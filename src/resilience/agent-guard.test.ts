import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  ContractViolationError,
  isCircuitOpenError,
  isInvalidArgumentError,
  isQueueFullError,
  isStepTimeoutError,
  PayloadTooLargeError,
} from '../errors.js';
import { FakeClock } from '../testing/fake-clock.js';
import { type AttemptFailedInfo, createAgentGuard } from './agent-guard.js';
import type { BreakerTransition } from './circuit-breaker.js';
import { type Policy, resolvePolicy } from './policy.js';

const BASE: Policy = {
  timeoutMs: 50,
  retry: { maxAttempts: 3, backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 } },
  breaker: { failureThreshold: 100, resetAfterMs: 1_000 },
};

function setup(policy: Policy = {}) {
  const clock = new FakeClock();
  const transitions: BreakerTransition[] = [];
  const guard = createAgentGuard({
    name: 'income@2.0.0',
    policy: resolvePolicy(BASE, policy),
    clock,
    onTransition: (t) => {
      transitions.push(t);
    },
  });
  const failures: AttemptFailedInfo[] = [];
  const attempts: { attempt: number; at: number }[] = [];
  const onAttemptFailed = (info: AttemptFailedInfo) => failures.push(info);
  /** A step whose attempts fail with `errors[i]` in turn, then succeed. */
  const flaky =
    (...errors: unknown[]) =>
    async (_signal: AbortSignal, attempt: number) => {
      attempts.push({ attempt, at: clock.now() });
      const e = errors[attempts.length - 1];
      if (e !== undefined) throw e;
      return `ok@${attempt}`;
    };
  return { clock, guard, transitions, failures, attempts, onAttemptFailed, flaky };
}

/** Runs until `p` settles, advancing the fake clock one sleeper at a time. */
async function drive<T>(clock: FakeClock, p: Promise<T>): Promise<T> {
  let done = false;
  const watched = p.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  while (!done && (await clock.next())) {
    /* keep going */
  }
  return watched;
}

describe('agent guard', () => {
  it('retries retryable failures with backoff on the clock and returns the first success', async () => {
    const g = setup();
    const run = g.guard.run(g.flaky(new Error('a'), new Error('b')), {
      onAttemptFailed: g.onAttemptFailed,
    });
    await expect(drive(g.clock, run)).resolves.toBe('ok@3');
    expect(g.attempts).toEqual([
      { attempt: 1, at: 0 },
      { attempt: 2, at: 100 },
      { attempt: 3, at: 300 },
    ]);
    expect(g.failures.map((f) => [f.attempt, f.willRetry, f.delayMs])).toEqual([
      [1, true, 100],
      [2, true, 200],
    ]);
  });

  it('gives up after maxAttempts and rethrows the last error unchanged', async () => {
    const g = setup();
    const last = new Error('third');
    const run = g.guard.run(g.flaky(new Error('1'), new Error('2'), last), {
      onAttemptFailed: g.onAttemptFailed,
    });
    await expect(drive(g.clock, run)).rejects.toBe(last);
    expect(g.attempts).toHaveLength(3);
    expect(g.failures.at(-1)).toMatchObject({ attempt: 3, willRetry: false, delayMs: 0 });
  });

  it('does not retry terminal errors (retryable === false)', async () => {
    for (const terminal of [
      new ContractViolationError({ contractId: 'c@1', issues: [], boundary: 'agent-output' }),
      new PayloadTooLargeError('score', 10, 5),
    ]) {
      const g = setup();
      await expect(drive(g.clock, g.guard.run(g.flaky(terminal)))).rejects.toBe(terminal);
      expect(g.attempts).toHaveLength(1);
    }
  });

  it('times out each attempt, aborting its signal, and retries the timeout', async () => {
    const g = setup();
    const signals: AbortSignal[] = [];
    const hung = (signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<never>(() => undefined);
    };
    const err = await drive(g.clock, g.guard.run(hung)).catch((e: unknown) => e);
    expect(isStepTimeoutError(err)).toBe(true);
    expect(signals).toHaveLength(3);
    expect(signals.every((s) => s.aborted && isStepTimeoutError(s.reason))).toBe(true);
    // 3 timeouts of 50 ms and backoffs of 100 and 200 ms.
    expect(g.clock.now()).toBe(450);
    expect(g.clock.pending()).toBe(0);
  });

  it('names the step in the timeout error when given', async () => {
    const g = setup({ retry: { maxAttempts: 1 } });
    const run = g.guard.run(() => new Promise<never>(() => undefined), { step: 'income' });
    await expect(drive(g.clock, run)).rejects.toMatchObject({ step: 'income', timeoutMs: 50 });
  });

  it('ends at once on CircuitOpenError without calling the agent', async () => {
    const g = setup({ breaker: { failureThreshold: 2 }, retry: { maxAttempts: 1 } });
    let calls = 0;
    const down = async () => {
      calls++;
      throw new Error('down');
    };
    for (let i = 0; i < 2; i++) await expect(drive(g.clock, g.guard.run(down))).rejects.toThrow();
    expect(g.transitions.map((t) => t.to)).toEqual(['open']);
    const run = g.guard.run(down, { onAttemptFailed: g.onAttemptFailed });
    const err = await drive(g.clock, run).catch((e: unknown) => e);
    expect(isCircuitOpenError(err)).toBe(true);
    expect(calls).toBe(2);
    expect(g.failures).toHaveLength(1);
    expect(g.failures[0]).toMatchObject({ attempt: 1, willRetry: false, delayMs: 0 });
  });

  it('does not retry a CircuitOpenError even with attempts left', async () => {
    const g = setup({ breaker: { failureThreshold: 1 }, retry: { maxAttempts: 5 } });
    const err = await drive(g.clock, g.guard.run(g.flaky(new Error('x')))).catch((e: unknown) => e);
    // Attempt 1 fails and opens the breaker; attempt 2 is rejected and ends the run.
    expect(isCircuitOpenError(err)).toBe(true);
    expect(g.attempts).toHaveLength(1);
  });

  it('passes the classifier to the breaker', async () => {
    const g = setup({ breaker: { failureThreshold: 1 }, retry: { maxAttempts: 1 } });
    for (let i = 0; i < 3; i++) {
      const run = g.guard.run(g.flaky(new Error('caller bug')), { countsAsFailure: () => false });
      await expect(drive(g.clock, run)).rejects.toThrow('caller bug');
      g.attempts.length = 0;
    }
    expect(g.guard.snapshot().breaker?.state).toBe('closed');
  });

  it('continues the attempt count from startAttempt', async () => {
    const g = setup();
    const run = g.guard.run(g.flaky(new Error('x'), new Error('y')), { startAttempt: 2 });
    await expect(drive(g.clock, run)).rejects.toThrow('y');
    expect(g.attempts.map((a) => a.attempt)).toEqual([2, 3]);
  });

  it('makes one attempt when startAttempt is already past maxAttempts', async () => {
    const g = setup();
    const run = g.guard.run(g.flaky(new Error('x')), { startAttempt: 7 });
    await expect(drive(g.clock, run)).rejects.toThrow('x');
    expect(g.attempts.map((a) => a.attempt)).toEqual([7]);
  });

  it('rejects a bad startAttempt', async () => {
    const g = setup();
    await expect(g.guard.run(g.flaky(), { startAttempt: 0 })).rejects.toSatisfy(
      isInvalidArgumentError,
    );
  });

  it('stops during backoff when the caller aborts', async () => {
    const g = setup();
    const ctl = new AbortController();
    const run = g.guard.run(g.flaky(new Error('x')), {
      signal: ctl.signal,
      onAttemptFailed: () => ctl.abort(new Error('run cancelled')),
    });
    await expect(run).rejects.toThrow('run cancelled');
    expect(g.attempts).toHaveLength(1);
    expect(g.clock.pending()).toBe(0);
  });

  it('does not count an attempt cut short by the caller as a breaker failure', async () => {
    const g = setup({ breaker: { failureThreshold: 1 } });
    const ctl = new AbortController();
    const run = g.guard.run(
      (signal) =>
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
      { signal: ctl.signal },
    );
    ctl.abort(new Error('shutdown'));
    await expect(run).rejects.toThrow('shutdown');
    expect(g.guard.snapshot().breaker).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('shares one listener on the caller signal among concurrent attempts', async () => {
    const g = setup();
    const run = new AbortController();
    const started: AbortSignal[] = [];
    const hung = (signal: AbortSignal) => {
      started.push(signal);
      return new Promise<never>(() => undefined);
    };
    const calls = Array.from({ length: 30 }, () =>
      g.guard.run(hung, { signal: run.signal }).catch((e: unknown) => e),
    );
    await g.clock.advance(0);
    expect(started).toHaveLength(30);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    run.abort(new Error('run cancelled'));
    const results = await Promise.all(calls);
    expect(results.every((e) => e instanceof Error && e.message === 'run cancelled')).toBe(true);
    expect(started.every((s) => s.aborted)).toBe(true);
    expect(g.clock.pending()).toBe(0);
  });

  it('limits concurrency across runs sharing the guard', async () => {
    const g = setup({ concurrency: 2, maxQueue: 100 });
    let running = 0;
    let maxRunning = 0;
    const releases: (() => void)[] = [];
    const step = () =>
      new Promise<void>((resolve) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        releases.push(() => {
          running--;
          resolve();
        });
      });
    const runs = Array.from({ length: 6 }, () => g.guard.run(step));
    await g.clock.advance(0);
    expect(g.guard.snapshot().bulkhead).toEqual({ active: 2, queued: 4 });
    while (releases.length > 0) {
      releases.shift()?.();
      await g.clock.advance(0);
    }
    await Promise.all(runs);
    expect(maxRunning).toBe(2);
  });

  it('rejects with QueueFullError when the bulkhead queue is full', async () => {
    const g = setup({ concurrency: 1, maxQueue: 0, retry: { maxAttempts: 1 } });
    let release!: () => void;
    const first = g.guard.run(() => new Promise<void>((r) => (release = r)));
    await g.clock.advance(0);
    await expect(g.guard.run(g.flaky())).rejects.toSatisfy(isQueueFullError);
    release();
    await first;
  });

  it('applies the rate limit per attempt', async () => {
    const g = setup({ ratePerSecond: 2, timeoutMs: 10_000 });
    const runs = Array.from({ length: 4 }, () => g.guard.run(async () => g.clock.now()));
    await g.clock.advance(1_000);
    // Burst of 2 at t=0, then one per 500 ms.
    expect(await Promise.all(runs)).toEqual([0, 0, 500, 1_000]);
  });

  it('takes timeout and retry from a per-call policy, keeping the shared breaker', async () => {
    const g = setup({ breaker: { failureThreshold: 2 } });
    const perCall = resolvePolicy(BASE, {
      timeoutMs: 7,
      retry: { maxAttempts: 2, backoff: { initialMs: 1 } },
    });
    const hung = () => new Promise<never>(() => undefined);
    const err = await drive(g.clock, g.guard.run(hung, { policy: perCall })).catch((e) => e);
    expect(err).toMatchObject({ code: 'STEP_TIMEOUT', timeoutMs: 7 });
    // Two attempts of 7 ms with a 1 ms backoff between them; both counted by the shared breaker.
    expect(g.clock.now()).toBe(15);
    expect(g.guard.snapshot().breaker?.state).toBe('open');
  });

  it('has no breaker when the policy disables it', () => {
    const g = setup({ breaker: false });
    expect(g.guard.breaker).toBeUndefined();
    expect(g.guard.snapshot()).toEqual({ name: 'income@2.0.0' });
  });
});
