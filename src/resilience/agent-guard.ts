/**
 * The policy engine around one agent: per attempt, rate limiter → bulkhead → breaker →
 * timeout(fn), and retries with backoff between attempts. The orchestrator runs every agent call
 * through a guard; agent code never implements a policy.
 *
 * Invariants:
 * - at most `retry.maxAttempts` attempts per `run`, counted from `startAttempt` (a resumed run
 *   continues its count); a `run` always makes at least one attempt.
 * - not retried: errors with `retryable === false` (terminal, e.g. contract violations),
 *   `CircuitOpenError` (so the runtime can degrade at once), and anything after the caller's
 *   signal aborted (including during backoff, which is abortable).
 * - the final error is rethrown unchanged.
 * - an attempt cut short by the caller's abort never counts as a breaker failure.
 */
import { InvalidArgumentError, isCircuitOpenError } from '../errors.js';
import { type AbortLink, createAbortLinker } from './abort-link.js';
import { backoffDelay } from './backoff.js';
import { type Bulkhead, createBulkhead } from './bulkhead.js';
import { type CallerSignal, callerAbortReason, toAbortSignal } from './cancellation.js';
import {
  type BreakerSnapshot,
  type BreakerTransitionListener,
  type CircuitBreaker,
  createCircuitBreaker,
  defaultCountsAsFailure,
} from './circuit-breaker.js';
import { type Clock, systemClock } from './clock.js';
import type { ResolvedPolicy } from './policy.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import type { BreakerFactory } from './shared-breaker.js';
import { type LazySignal, withTimeoutLazy } from './timeout.js';

/** Reported before each attempt. */
export interface AttemptInfo {
  readonly attempt: number;
}

/** Reported after each failed attempt. */
export interface AttemptFailedInfo {
  readonly attempt: number;
  readonly error: unknown;
  readonly willRetry: boolean;
  /** The backoff before the next attempt (0 when there is none). */
  readonly delayMs: number;
}

/** Per-call options of {@link AgentGuard.run}. */
export interface GuardRunOptions {
  /**
   * The caller's signal (run cancelled, runtime closing); aborts the attempt and the backoff.
   * A `Cancellation` costs nothing until something needs a real AbortSignal.
   */
  readonly signal?: CallerSignal;
  /** The number of the first attempt (default 1); a resumed run passes its next attempt. */
  readonly startAttempt?: number;
  /** Which errors count towards opening the breaker (default: the breaker's default). */
  readonly countsAsFailure?: (error: unknown) => boolean;
  /**
   * Timeout and retry for this call (for example a step-level policy); the breaker, concurrency
   * and rate limits always stay the guard's, since they are shared by every run.
   */
  readonly policy?: Pick<ResolvedPolicy, 'timeoutMs' | 'retry'>;
  /** The step name used in `StepTimeoutError` (default: the guard's name). */
  readonly step?: string;
  readonly onAttempt?: (info: AttemptInfo) => void;
  readonly onAttemptFailed?: (info: AttemptFailedInfo) => void;
}

/** The guard's limits and breaker, for listings and tests. */
export interface GuardSnapshot {
  readonly name: string;
  readonly breaker?: BreakerSnapshot;
  readonly bulkhead?: { readonly active: number; readonly queued: number };
  readonly rateLimiter?: { readonly available: number; readonly queued: number };
}

/** The policies of one agent, shared by every run of a runtime. */
export interface AgentGuard {
  readonly name: string;
  readonly policy: ResolvedPolicy;
  /** Absent when the policy disables the breaker. */
  readonly breaker?: CircuitBreaker;
  /**
   * Runs `fn` under the policy, retrying as it allows.
   * @throws the last attempt's error; `CircuitOpenError` when the breaker rejected the call;
   * `QueueFullError` when a limiter's queue stayed full; the signal's reason when aborted.
   */
  run<T>(
    fn: (signal: AbortSignal, attempt: number) => Promise<T>,
    opts?: GuardRunOptions,
  ): Promise<T>;
  /**
   * As {@link AgentGuard.run}, but `fn` reads the attempt's signal lazily (`s.signal`): an
   * attempt that never reads it never pays for creating it.
   */
  runLazy<T>(
    fn: (attemptSignal: LazySignal, attempt: number) => Promise<T>,
    opts?: GuardRunOptions,
  ): Promise<T>;
  snapshot(): GuardSnapshot;
}

/** Options of {@link createAgentGuard}. */
export interface AgentGuardOptions {
  /** Usually the agent id `name@version`; names the breaker and the limiters. */
  readonly name: string;
  readonly policy: ResolvedPolicy;
  readonly clock?: Clock;
  /** Source of jitter in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
  readonly onTransition?: BreakerTransitionListener;
  /** Builds the breaker (default: a local one; `createSharedBreakerFactory` shares it via the store). */
  readonly breakerFactory?: BreakerFactory;
  /** Shares caller-signal listeners (a registry passes one linker to all its guards). */
  readonly link?: AbortLink;
}

/** Creates the guard for one agent. */
export function createAgentGuard(options: AgentGuardOptions): AgentGuard {
  const { name, policy } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const link = options.link ?? createAbortLinker();
  const breaker =
    policy.breaker === false
      ? undefined
      : (options.breakerFactory ?? createCircuitBreaker)({
          name,
          policy: policy.breaker,
          clock,
          ...(options.onTransition ? { onTransition: options.onTransition } : {}),
        });
  const bulkhead: Bulkhead | undefined = Number.isFinite(policy.concurrency)
    ? createBulkhead({ name, concurrency: policy.concurrency, maxQueue: policy.maxQueue })
    : undefined;
  const limiter: RateLimiter | undefined = Number.isFinite(policy.ratePerSecond)
    ? createRateLimiter({
        name,
        ratePerSecond: policy.ratePerSecond,
        maxQueue: policy.maxQueue,
        clock,
      })
    : undefined;

  // Per attempt: rate limiter -> bulkhead -> breaker -> timeout(fn). Promise chains rather than
  // async functions: this runs for every agent attempt, and each async layer costs a generator
  // and a promise per call.
  const attemptOnce = <T>(
    fn: (attemptSignal: LazySignal, attempt: number) => Promise<T>,
    attempt: number,
    opts: GuardRunOptions,
  ): Promise<T> => {
    const { signal } = opts;
    const timed = (): Promise<T> =>
      withTimeoutLazy((s) => fn(s, attempt), {
        timeoutMs: (opts.policy ?? policy).timeoutMs,
        clock,
        label: opts.step ?? name,
        link,
        signal,
      });
    const classify = opts.countsAsFailure ?? defaultCountsAsFailure;
    const guarded = breaker
      ? () =>
          breaker.execute(timed, {
            countsAsFailure: (e) => !signal?.aborted && classify(e),
          })
      : timed;
    const limited = bulkhead ? () => bulkhead.run(guarded, toAbortSignal(signal)) : guarded;
    return limiter ? limiter.acquire(toAbortSignal(signal)).then(limited) : limited();
  };

  return {
    name,
    policy,
    ...(breaker ? { breaker } : {}),
    run<T>(
      fn: (signal: AbortSignal, attempt: number) => Promise<T>,
      opts: GuardRunOptions = {},
    ): Promise<T> {
      return this.runLazy((s, attempt) => fn(s.signal, attempt), opts);
    },
    runLazy<T>(
      fn: (attemptSignal: LazySignal, attempt: number) => Promise<T>,
      opts: GuardRunOptions = {},
    ): Promise<T> {
      const first = opts.startAttempt ?? 1;
      if (!(Number.isInteger(first) && first >= 1)) {
        return Promise.reject(
          new InvalidArgumentError(
            `guard '${name}': startAttempt must be a positive integer, got ${first}`,
            'startAttempt',
          ),
        );
      }
      const { retry } = opts.policy ?? policy;
      const from = (attempt: number): Promise<T> => {
        let running: Promise<T>;
        try {
          opts.onAttempt?.({ attempt });
          running = attemptOnce(fn, attempt, opts);
        } catch (error) {
          running = Promise.reject(error);
        }
        return running.then(undefined, (error: unknown) => {
          const willRetry =
            attempt < retry.maxAttempts &&
            !opts.signal?.aborted &&
            !isCircuitOpenError(error) &&
            (error as { retryable?: unknown } | null)?.retryable !== false;
          const delayMs = willRetry ? backoffDelay(attempt, retry.backoff, random) : 0;
          opts.onAttemptFailed?.({ attempt, error, willRetry, delayMs });
          if (!willRetry) throw error;
          if (delayMs > 0) {
            return clock.sleep(delayMs, toAbortSignal(opts.signal)).then(() => from(attempt + 1));
          }
          if (opts.signal?.aborted) throw callerAbortReason(opts.signal);
          return from(attempt + 1);
        });
      };
      return from(first);
    },
    snapshot(): GuardSnapshot {
      return {
        name,
        ...(breaker ? { breaker: breaker.snapshot() } : {}),
        ...(bulkhead ? { bulkhead: { active: bulkhead.active, queued: bulkhead.queued } } : {}),
        ...(limiter
          ? { rateLimiter: { available: limiter.available(), queued: limiter.queued } }
          : {}),
      };
    },
  };
}
