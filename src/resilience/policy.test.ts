import { describe, expect, it } from 'vitest';
import { type InvalidDefinitionError, isInvalidDefinitionError } from '../errors.js';
import { DEFAULT_POLICY, type Policy, resolvePolicy, validatePolicy } from './policy.js';

const SUBJECT = "agent 'score@1.0.0'";

function rejection(policy: unknown): InvalidDefinitionError {
  try {
    validatePolicy(policy, SUBJECT);
  } catch (e) {
    expect(isInvalidDefinitionError(e)).toBe(true);
    return e as InvalidDefinitionError;
  }
  throw new Error(`expected ${JSON.stringify(policy)} to be rejected`);
}

describe('validatePolicy', () => {
  it('accepts undefined, an empty policy and a full valid one', () => {
    const full: Policy = {
      timeoutMs: 5_000,
      retry: { maxAttempts: 4, backoff: { initialMs: 0, maxMs: 100, factor: 1, jitter: true } },
      breaker: { failureThreshold: 1, resetAfterMs: 0.5 },
      concurrency: Infinity,
      ratePerSecond: 0.25,
      maxQueue: 0,
      onFailure: 'human',
    };
    expect(() => validatePolicy(undefined, SUBJECT)).not.toThrow();
    expect(() => validatePolicy({}, SUBJECT)).not.toThrow();
    expect(() => validatePolicy(full, SUBJECT)).not.toThrow();
    expect(() => validatePolicy({ breaker: false, timeoutMs: Infinity }, SUBJECT)).not.toThrow();
  });

  it.each([
    [{ timeoutMs: 0 }, 'policy.timeoutMs must be a positive number or Infinity, got 0'],
    [{ timeoutMs: -5 }, 'policy.timeoutMs must be a positive number or Infinity, got -5'],
    [{ timeoutMs: Number.NaN }, 'policy.timeoutMs must be a positive number or Infinity, got NaN'],
    [{ timeoutMs: '100' }, 'policy.timeoutMs must be a positive number or Infinity, got "100"'],
    [{ retry: { maxAttempts: 0 } }, 'policy.retry.maxAttempts must be a positive integer, got 0'],
    [
      { retry: { maxAttempts: 2.5 } },
      'policy.retry.maxAttempts must be a positive integer, got 2.5',
    ],
    [
      { retry: { maxAttempts: Infinity } },
      'policy.retry.maxAttempts must be a positive integer, got Infinity',
    ],
    [
      { retry: { backoff: { initialMs: -1 } } },
      'policy.retry.backoff.initialMs must be a finite number >= 0, got -1',
    ],
    [
      { retry: { backoff: { factor: 0.5 } } },
      'policy.retry.backoff.factor must be a finite number >= 1, got 0.5',
    ],
    [
      { retry: { backoff: { jitter: 2 } } },
      'policy.retry.backoff.jitter must be a boolean or a number in [0, 1], got 2',
    ],
    [
      { retry: { backoff: { initialMs: 500, maxMs: 100 } } },
      'policy.retry.backoff.maxMs must be >= retry.backoff.initialMs (500), got 100',
    ],
    [
      { breaker: { failureThreshold: 0 } },
      'policy.breaker.failureThreshold must be a positive integer, got 0',
    ],
    [
      { breaker: { resetAfterMs: Infinity } },
      'policy.breaker.resetAfterMs must be a finite positive number, got Infinity',
    ],
    [{ breaker: true }, 'policy.breaker must be an object or false, got true'],
    [{ concurrency: 0 }, 'policy.concurrency must be a positive integer or Infinity, got 0'],
    [{ concurrency: 1.5 }, 'policy.concurrency must be a positive integer or Infinity, got 1.5'],
    [{ ratePerSecond: -1 }, 'policy.ratePerSecond must be a positive number or Infinity, got -1'],
    [{ maxQueue: -1 }, 'policy.maxQueue must be an integer >= 0, got -1'],
    [
      { onFailure: 'retry' },
      `policy.onFailure must be one of 'fail', 'skip', 'cached', 'human', got "retry"`,
    ],
    [null, 'policy must be an object, got null'],
    [[], 'policy must be an object, got []'],
    [{ retry: 3 }, 'policy.retry must be an object, got 3'],
  ])('rejects %j with a message naming the field and value', (policy, message) => {
    const err = rejection(policy);
    expect(err.message).toBe(`${SUBJECT}: ${message}`);
    expect(err.subject).toBe(SUBJECT);
  });

  it.each([
    [{ timeout: 5 }, 'policy.timeout'],
    [{ retry: { attempts: 3 } }, 'policy.retry.attempts'],
    [{ retry: { backoff: { initial: 3 } } }, 'policy.retry.backoff.initial'],
    [{ breaker: { threshold: 3 } }, 'policy.breaker.threshold'],
  ])('rejects the unknown field in %j', (policy, path) => {
    expect(rejection(policy).message).toMatch(
      new RegExp(`^${SUBJECT}: ${path.replace(/\./g, '\\.')} must be absent: unknown field`),
    );
  });
});

describe('resolvePolicy', () => {
  it('returns the defaults with no layers', () => {
    expect(resolvePolicy()).toEqual(DEFAULT_POLICY);
    expect(resolvePolicy(undefined, undefined)).toEqual(DEFAULT_POLICY);
  });

  it('layers the most specific policy last, field by field', () => {
    const runtime: Policy = { timeoutMs: 1_000, retry: { maxAttempts: 5 }, maxQueue: 7 };
    const workflowLevel: Policy = { retry: { backoff: { initialMs: 10 } }, onFailure: 'skip' };
    const agentLevel: Policy = { timeoutMs: 200, breaker: { failureThreshold: 2 } };
    const p = resolvePolicy(runtime, workflowLevel, agentLevel);
    expect(p).toEqual({
      ...DEFAULT_POLICY,
      timeoutMs: 200,
      maxQueue: 7,
      onFailure: 'skip',
      retry: { maxAttempts: 5, backoff: { ...DEFAULT_POLICY.retry.backoff, initialMs: 10 } },
      breaker: { failureThreshold: 2, resetAfterMs: 60_000 },
    });
  });

  it('maps jitter true/false to 1/0 and keeps a fraction', () => {
    expect(resolvePolicy({ retry: { backoff: { jitter: true } } }).retry.backoff.jitter).toBe(1);
    expect(resolvePolicy({ retry: { backoff: { jitter: false } } }).retry.backoff.jitter).toBe(0);
    expect(resolvePolicy({ retry: { backoff: { jitter: 0.3 } } }).retry.backoff.jitter).toBe(0.3);
  });

  it('lets a later layer disable the breaker and a still later one re-enable it', () => {
    expect(resolvePolicy({ breaker: false }).breaker).toBe(false);
    expect(resolvePolicy({ breaker: false }, { breaker: { resetAfterMs: 5 } }).breaker).toEqual({
      failureThreshold: 5,
      resetAfterMs: 5,
    });
  });

  it('does not mutate the defaults', () => {
    resolvePolicy({ retry: { backoff: { initialMs: 1 } }, breaker: { failureThreshold: 1 } });
    expect(DEFAULT_POLICY.retry.backoff.initialMs).toBe(100);
    expect(DEFAULT_POLICY.breaker).toEqual({ failureThreshold: 5, resetAfterMs: 60_000 });
  });
});
