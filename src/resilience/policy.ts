/**
 * Policies: what the runtime (never agent code) does around every agent call. Defined on an
 * agent, with workflow-level and runtime-level defaults; validated when defined.
 */
import { InvalidDefinitionError } from '../errors.js';

/** What to do when a step cannot succeed (retries exhausted or breaker open). */
export type OnFailure = 'fail' | 'skip' | 'cached' | 'human';

/** Exponential backoff between attempts. */
export interface BackoffPolicy {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly factor?: number;
  /** Full jitter when true; a fraction in [0, 1] spreads each delay by that much. */
  readonly jitter?: boolean | number;
}

/** Retry policy. `maxAttempts` counts the first attempt. */
export interface RetryPolicy {
  readonly maxAttempts?: number;
  readonly backoff?: BackoffPolicy;
}

/** Circuit breaker policy. */
export interface BreakerPolicy {
  readonly failureThreshold?: number;
  readonly resetAfterMs?: number;
}

/** A policy as written by users; every field optional. */
export interface Policy {
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** `false` disables the breaker. */
  readonly breaker?: BreakerPolicy | false;
  /** Maximum concurrent calls of this agent across all runs of the runtime. */
  readonly concurrency?: number;
  /** Maximum calls per second (token bucket) across all runs of the runtime. */
  readonly ratePerSecond?: number;
  /** Maximum callers waiting for a concurrency or rate slot; more are rejected with QueueFullError. */
  readonly maxQueue?: number;
  readonly onFailure?: OnFailure;
}

/** A policy with every default applied. */
export interface ResolvedPolicy {
  readonly timeoutMs: number;
  readonly retry: {
    readonly maxAttempts: number;
    readonly backoff: Required<Omit<BackoffPolicy, 'jitter'>> & { readonly jitter: number };
  };
  readonly breaker: Required<BreakerPolicy> | false;
  readonly concurrency: number;
  readonly ratePerSecond: number;
  readonly maxQueue: number;
  readonly onFailure: OnFailure;
}

/** The defaults under every policy. */
export const DEFAULT_POLICY: ResolvedPolicy = Object.freeze({
  timeoutMs: 30_000,
  retry: { maxAttempts: 3, backoff: { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.2 } },
  breaker: { failureThreshold: 5, resetAfterMs: 60_000 },
  concurrency: Number.POSITIVE_INFINITY,
  ratePerSecond: Number.POSITIVE_INFINITY,
  maxQueue: 10_000,
  onFailure: 'fail',
});

const ON_FAILURE: readonly OnFailure[] = ['fail', 'skip', 'cached', 'human'];

/**
 * Checks a user policy and throws an `InvalidDefinitionError` naming the field and value.
 * @param subject what the policy belongs to, for the message ("agent 'score@1.0.0'").
 */
export function validatePolicy(policy: unknown, subject: string): asserts policy is Policy {
  if (policy === undefined) return;
  const bad = (field: string, value: unknown, want: string): never => {
    throw new InvalidDefinitionError(
      `${subject}: policy.${field} must be ${want}, got ${JSON.stringify(value)}`,
      subject,
    );
  };
  if (typeof policy !== 'object' || policy === null) bad('', policy, 'an object');
  const p = policy as Record<string, unknown>;
  const known = new Set([
    'timeoutMs',
    'retry',
    'breaker',
    'concurrency',
    'ratePerSecond',
    'maxQueue',
    'onFailure',
  ]);
  for (const k of Object.keys(p))
    if (!known.has(k)) bad(k, p[k], `one of ${[...known].join(', ')} (unknown field)`);
  positive(p.timeoutMs, 'timeoutMs', bad);
  positive(p.concurrency, 'concurrency', bad, true);
  positive(p.ratePerSecond, 'ratePerSecond', bad);
  nonNegativeInt(p.maxQueue, 'maxQueue', bad);
  if (p.onFailure !== undefined && !ON_FAILURE.includes(p.onFailure as OnFailure)) {
    bad('onFailure', p.onFailure, `one of ${ON_FAILURE.map((o) => `'${o}'`).join(', ')}`);
  }
  if (p.retry !== undefined) {
    if (typeof p.retry !== 'object' || p.retry === null) bad('retry', p.retry, 'an object');
    const r = p.retry as Record<string, unknown>;
    positive(r.maxAttempts, 'retry.maxAttempts', bad, true);
    if (r.backoff !== undefined) {
      if (typeof r.backoff !== 'object' || r.backoff === null)
        bad('retry.backoff', r.backoff, 'an object');
      const b = r.backoff as Record<string, unknown>;
      nonNegative(b.initialMs, 'retry.backoff.initialMs', bad);
      nonNegative(b.maxMs, 'retry.backoff.maxMs', bad);
      if (
        b.factor !== undefined &&
        !(typeof b.factor === 'number' && b.factor >= 1 && Number.isFinite(b.factor))
      ) {
        bad('retry.backoff.factor', b.factor, 'a finite number >= 1');
      }
      const j = b.jitter;
      if (
        j !== undefined &&
        typeof j !== 'boolean' &&
        !(typeof j === 'number' && j >= 0 && j <= 1)
      ) {
        bad('retry.backoff.jitter', j, 'a boolean or a number in [0, 1]');
      }
    }
  }
  if (p.breaker !== undefined && p.breaker !== false) {
    if (typeof p.breaker !== 'object' || p.breaker === null)
      bad('breaker', p.breaker, 'an object or false');
    const br = p.breaker as Record<string, unknown>;
    positive(br.failureThreshold, 'breaker.failureThreshold', bad, true);
    positive(br.resetAfterMs, 'breaker.resetAfterMs', bad);
  }
}

type Bad = (field: string, value: unknown, want: string) => never;

function positive(v: unknown, field: string, bad: Bad, integer = false): void {
  if (v === undefined) return;
  const ok =
    typeof v === 'number' &&
    v > 0 &&
    (integer ? Number.isInteger(v) || v === Infinity : !Number.isNaN(v));
  if (!ok) bad(field, v, integer ? 'a positive integer' : 'a positive number');
}

function nonNegative(v: unknown, field: string, bad: Bad): void {
  if (v === undefined) return;
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v)))
    bad(field, v, 'a finite number >= 0');
}

function nonNegativeInt(v: unknown, field: string, bad: Bad): void {
  if (v === undefined) return;
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0)) bad(field, v, 'an integer >= 0');
}

/** Layers policies (most specific last) over the defaults. */
export function resolvePolicy(...layers: readonly (Policy | undefined)[]): ResolvedPolicy {
  let out: ResolvedPolicy = DEFAULT_POLICY;
  for (const p of layers) {
    if (!p) continue;
    const backoff = { ...out.retry.backoff, ...p.retry?.backoff };
    const jitter = p.retry?.backoff?.jitter;
    out = {
      timeoutMs: p.timeoutMs ?? out.timeoutMs,
      retry: {
        maxAttempts: p.retry?.maxAttempts ?? out.retry.maxAttempts,
        backoff: {
          ...backoff,
          jitter:
            jitter === undefined
              ? out.retry.backoff.jitter
              : jitter === true
                ? 1
                : jitter === false
                  ? 0
                  : jitter,
        },
      },
      breaker:
        p.breaker === false
          ? false
          : p.breaker
            ? ({
                ...(out.breaker || DEFAULT_POLICY.breaker),
                ...p.breaker,
              } as Required<BreakerPolicy>)
            : out.breaker,
      concurrency: p.concurrency ?? out.concurrency,
      ratePerSecond: p.ratePerSecond ?? out.ratePerSecond,
      maxQueue: p.maxQueue ?? out.maxQueue,
      onFailure: p.onFailure ?? out.onFailure,
    };
  }
  return out;
}
