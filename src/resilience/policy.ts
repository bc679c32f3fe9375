/**
 * Policies: what the runtime (never agent code) does around every agent call. Defined on an
 * agent, with workflow-level and runtime-level defaults; validated when defined.
 */
import { InvalidDefinitionError } from '../errors.js';
import { MAX_TIMER_MS, MAX_TIMER_TEXT } from '../ledger/durations.js';

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
  retry: Object.freeze({
    maxAttempts: 3,
    backoff: Object.freeze({ initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.2 }),
  }),
  breaker: Object.freeze({ failureThreshold: 5, resetAfterMs: 60_000 }),
  concurrency: Number.POSITIVE_INFINITY,
  ratePerSecond: Number.POSITIVE_INFINITY,
  maxQueue: 10_000,
  onFailure: 'fail',
});

const ON_FAILURE: readonly OnFailure[] = ['fail', 'skip', 'cached', 'human'];

/** The fields each level of a policy may have; anything else is a typo and is rejected. */
const FIELDS = {
  policy: [
    'timeoutMs',
    'retry',
    'breaker',
    'concurrency',
    'ratePerSecond',
    'maxQueue',
    'onFailure',
  ],
  retry: ['maxAttempts', 'backoff'],
  backoff: ['initialMs', 'maxMs', 'factor', 'jitter'],
  breaker: ['failureThreshold', 'resetAfterMs'],
} as const;

type Bad = (field: string, value: unknown, want: string) => never;

/**
 * Checks a user policy and throws an `InvalidDefinitionError` naming the field and value.
 * `Infinity` is accepted where it means "no limit" (timeoutMs, concurrency, ratePerSecond), and
 * rejected where it would mean "never recover" (maxAttempts, failureThreshold, resetAfterMs).
 * @param subject what the policy belongs to, for the message ("agent 'score@1.0.0'").
 * @throws InvalidDefinitionError on an unknown field or an out-of-range value.
 */
export function validatePolicy(policy: unknown, subject: string): asserts policy is Policy {
  if (policy === undefined) return;
  const bad: Bad = (field, value, want) => {
    const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
    throw new InvalidDefinitionError(
      `${subject}: ${field ? `policy.${field}` : 'policy'} must be ${want}, got ${shown}`,
      subject,
    );
  };
  const p = record(policy, '', FIELDS.policy, bad);
  positive(p.timeoutMs, 'timeoutMs', bad, { allowInfinity: true });
  timer(p.timeoutMs, 'timeoutMs', bad, 'or Infinity for no limit');
  positiveInt(p.concurrency, 'concurrency', bad, { allowInfinity: true });
  positive(p.ratePerSecond, 'ratePerSecond', bad, { allowInfinity: true });
  if (p.maxQueue !== undefined && !(Number.isInteger(p.maxQueue) && (p.maxQueue as number) >= 0))
    bad('maxQueue', p.maxQueue, 'an integer >= 0');
  if (p.onFailure !== undefined && !ON_FAILURE.includes(p.onFailure as OnFailure)) {
    bad('onFailure', p.onFailure, `one of ${ON_FAILURE.map((o) => `'${o}'`).join(', ')}`);
  }
  if (p.retry !== undefined) {
    const r = record(p.retry, 'retry', FIELDS.retry, bad);
    positiveInt(r.maxAttempts, 'retry.maxAttempts', bad);
    if (r.backoff !== undefined)
      validateBackoff(record(r.backoff, 'retry.backoff', FIELDS.backoff, bad), bad);
  }
  if (p.breaker !== undefined && p.breaker !== false) {
    const br = record(p.breaker, 'breaker', FIELDS.breaker, bad, 'an object or false');
    positiveInt(br.failureThreshold, 'breaker.failureThreshold', bad);
    positive(br.resetAfterMs, 'breaker.resetAfterMs', bad);
    timer(br.resetAfterMs, 'breaker.resetAfterMs', bad);
  }
}

function validateBackoff(b: Record<string, unknown>, bad: Bad): void {
  nonNegative(b.initialMs, 'retry.backoff.initialMs', bad);
  nonNegative(b.maxMs, 'retry.backoff.maxMs', bad);
  timer(b.initialMs, 'retry.backoff.initialMs', bad);
  timer(b.maxMs, 'retry.backoff.maxMs', bad);
  if (
    b.factor !== undefined &&
    !(typeof b.factor === 'number' && b.factor >= 1 && Number.isFinite(b.factor))
  ) {
    bad('retry.backoff.factor', b.factor, 'a finite number >= 1');
  }
  const j = b.jitter;
  if (j !== undefined && typeof j !== 'boolean' && !(typeof j === 'number' && j >= 0 && j <= 1)) {
    bad('retry.backoff.jitter', j, 'a boolean or a number in [0, 1]');
  }
  if (typeof b.initialMs === 'number' && typeof b.maxMs === 'number' && b.maxMs < b.initialMs) {
    bad('retry.backoff.maxMs', b.maxMs, `>= retry.backoff.initialMs (${b.initialMs})`);
  }
}

/** Checks that `v` is a plain object with only `known` keys. */
function record(
  v: unknown,
  field: string,
  known: readonly string[],
  bad: Bad,
  want = 'an object',
): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(field, v, want);
  const r = v as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!known.includes(k)) {
      const path = field ? `${field}.${k}` : k;
      bad(path, r[k], `absent: unknown field (known: ${known.join(', ')})`);
    }
  }
  return r;
}

function positive(v: unknown, field: string, bad: Bad, opts: { allowInfinity?: boolean } = {}) {
  if (v === undefined) return;
  const ok =
    typeof v === 'number' &&
    v > 0 &&
    (Number.isFinite(v) || (opts.allowInfinity && v === Infinity));
  if (!ok)
    bad(
      field,
      v,
      opts.allowInfinity ? 'a positive number or Infinity' : 'a finite positive number',
    );
}

function positiveInt(v: unknown, field: string, bad: Bad, opts: { allowInfinity?: boolean } = {}) {
  if (v === undefined) return;
  const ok =
    typeof v === 'number' &&
    v >= 1 &&
    (Number.isInteger(v) || (opts.allowInfinity && v === Infinity));
  if (!ok)
    bad(field, v, opts.allowInfinity ? 'a positive integer or Infinity' : 'a positive integer');
}

/** A finite duration must fit a timer (Infinity, where allowed, was accepted by `positive`). */
function timer(v: unknown, field: string, bad: Bad, infinity = ''): void {
  if (typeof v === 'number' && Number.isFinite(v) && v > MAX_TIMER_MS)
    bad(field, v, `${MAX_TIMER_TEXT}${infinity ? `, ${infinity}` : ''}`);
}

function nonNegative(v: unknown, field: string, bad: Bad): void {
  if (v === undefined) return;
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v)))
    bad(field, v, 'a finite number >= 0');
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
