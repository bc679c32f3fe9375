/**
 * The in-process circuit breaker, one per agent `name@version` per runtime. It wraps the pure
 * state machine of `breaker-state.ts` with a clock, a failure classifier and transition events.
 *
 * Why not cockatiel 3.2's `circuitBreaker`: (1) it reads `Date.now()` directly, so the clock
 * cannot be injected (only faked globally); (2) in half-open every other caller awaits the probe
 * and then runs, where Baton needs them to fail fast with `CircuitOpenError` so exactly one call
 * reaches a sick agent; (3) failures are classified once per policy (`handleWhen`), not per call,
 * and a probe that throws an unhandled error closes the breaker; (4) its events carry no
 * previous state, time or reason, and its broken-circuit error has no retry-after; (5) its
 * transitions live inside a class, so they cannot be reused by a store-backed breaker shared
 * across processes.
 *
 * Invariants:
 * - while open, `execute` rejects with `CircuitOpenError` without calling `fn`.
 * - in half-open exactly one call (the probe) runs; the decision and the state change happen in
 *   the same synchronous step, so concurrent callers cannot both become the probe.
 * - every state change calls `onTransition` exactly once, after the state is updated; an
 *   observer that throws or rejects never changes a call's outcome.
 */
import { CircuitOpenError, isCircuitOpenError, isContractViolationError } from '../errors.js';
import {
  type BreakerEvent,
  type BreakerSettings,
  type BreakerState,
  type BreakerStateName,
  breakerAdmission,
  initialBreakerState,
  transitionBreaker,
} from './breaker-state.js';
import { type Clock, systemClock } from './clock.js';

/** One state change, as recorded in the store and emitted as a span event. */
export interface BreakerTransition {
  readonly breaker: string;
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  /** Clock time of the change, in epoch milliseconds. */
  readonly at: number;
  readonly reason: string;
}

/** Observes transitions. May return a promise; it is not awaited and its rejection is ignored. */
export type BreakerTransitionListener = (t: BreakerTransition) => unknown;

/** A breaker's state as listed by `rt.breakers()`. */
export interface BreakerSnapshot {
  readonly name: string;
  readonly state: BreakerStateName;
  readonly consecutiveFailures: number;
  /** When it last opened (present while open or half-open). */
  readonly openedAt?: number;
  /** How long until a call may go through (present while calls are rejected). */
  readonly retryAfterMs?: number;
  readonly since: number;
  readonly reason: string;
}

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Usually the agent id `name@version`. */
  readonly name: string;
  readonly policy: BreakerSettings;
  readonly clock?: Clock;
  readonly onTransition?: BreakerTransitionListener;
  /** A state to start from (for example one loaded from the store). */
  readonly initialState?: BreakerState;
}

/** Per-call options of {@link CircuitBreaker.execute}. */
export interface ExecuteOptions {
  /** Decides whether an error counts towards opening; default {@link defaultCountsAsFailure}. */
  readonly countsAsFailure?: (error: unknown) => boolean;
}

/** A circuit breaker guarding calls to one agent. */
export interface CircuitBreaker {
  readonly name: string;
  /**
   * Runs `fn` if the breaker admits it, and records the outcome.
   * @throws CircuitOpenError when open (or half-open with a probe in flight); `fn` is not called.
   * @throws whatever `fn` throws.
   */
  execute<T>(fn: () => Promise<T>, opts?: ExecuteOptions): Promise<T>;
  /** The current state, for listings. */
  snapshot(): BreakerSnapshot;
  /** The full state machine state (plain data), for persistence. */
  state(): BreakerState;
}

/**
 * Baton's default failure classification: everything counts except a breaker rejection and an
 * input-side contract violation (the caller's fault, not the agent's).
 */
export function defaultCountsAsFailure(error: unknown): boolean {
  if (isCircuitOpenError(error)) return false;
  if (isContractViolationError(error)) {
    return error.boundary !== 'agent-input' && error.boundary !== 'workflow-input';
  }
  return true;
}

/**
 * Creates an in-process circuit breaker.
 * @example
 * const breaker = createCircuitBreaker({ name: 'score@1.0.0', policy: { failureThreshold: 5, resetAfterMs: 60_000 } });
 * const out = await breaker.execute(() => callAgent());
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { name, policy, onTransition } = options;
  const clock = options.clock ?? systemClock;
  let current = options.initialState ?? initialBreakerState(clock.now());

  const apply = (event: BreakerEvent): void => {
    const before = current;
    const at = clock.now();
    current = transitionBreaker(before, event, at, policy);
    if (before.state === current.state || !onTransition) return;
    const t = { breaker: name, from: before.state, to: current.state, at, reason: current.reason };
    try {
      const r = onTransition(t);
      // The state is already committed; a failing observer must not turn into the call's error.
      if (r instanceof Promise) r.catch(() => undefined);
    } catch {
      /* see above */
    }
  };

  const machine: BreakerMachine = {
    name,
    policy,
    now: () => clock.now(),
    current: () => current,
    apply,
  };

  return {
    name,
    execute: <T>(fn: () => Promise<T>, opts?: ExecuteOptions): Promise<T> =>
      executeThrough(machine, fn, opts),
    snapshot: () => snapshotOf(name, current, clock.now(), policy),
    state: () => current,
  };
}

/** What running a call through a breaker needs: its state machine, however it is stored. */
export interface BreakerMachine {
  readonly name: string;
  readonly policy: BreakerSettings;
  now(): number;
  current(): BreakerState;
  apply(event: BreakerEvent): void;
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const ACQUIRE: BreakerEvent = Object.freeze({ type: 'acquire' });

/**
 * Runs one call through a breaker: admission (fail fast when open, one probe when half-open),
 * then the outcome as an event. Shared by the local and the fleet-wide (store-backed) breakers.
 * Not an async function: this runs once per agent attempt, and a closed breaker with no recent
 * failures must cost no more than one `then` (events that change nothing are not applied).
 * @throws CircuitOpenError when the call is not admitted; otherwise whatever `fn` throws.
 */
export function executeThrough<T>(
  m: BreakerMachine,
  fn: () => Promise<T>,
  opts?: ExecuteOptions,
): Promise<T> {
  // From here to `acquire`, no await: the admission decision is atomic within the process.
  const before = m.current();
  if (before.state !== 'closed') {
    const admission = breakerAdmission(before, m.now(), m.policy);
    if (admission.kind === 'reject') {
      return Promise.reject(new CircuitOpenError(m.name, admission.retryAfterMs));
    }
    m.apply(ACQUIRE);
  }
  const generation = m.current().generation;
  let running: Promise<T>;
  try {
    running = fn();
  } catch (error) {
    running = Promise.reject(error);
  }
  return running.then(
    (value) => {
      const s = m.current();
      // A success of a closed breaker with no failures counted changes nothing.
      if (s.state !== 'closed' || s.consecutiveFailures !== 0 || s.generation !== generation) {
        m.apply({ type: 'success', generation });
      }
      return value;
    },
    (error: unknown) => {
      let counts = true;
      try {
        counts = (opts?.countsAsFailure ?? defaultCountsAsFailure)(error);
      } catch {
        // A broken classifier must not leave the probe slot held forever: count the failure.
      }
      m.apply(
        counts
          ? { type: 'failure', generation, error: describeFailure(error) }
          : { type: 'uncounted', generation },
      );
      throw error;
    },
  );
}

/** A breaker's state as listed by `rt.breakers()`. */
export function snapshotOf(
  name: string,
  s: BreakerState,
  now: number,
  policy: BreakerSettings,
): BreakerSnapshot {
  const base = {
    name,
    state: s.state,
    consecutiveFailures: s.consecutiveFailures,
    since: s.since,
    reason: s.reason,
  };
  if (s.state === 'closed') return base;
  const admission = breakerAdmission(s, now, policy);
  return admission.kind === 'reject'
    ? { ...base, openedAt: s.openedAt, retryAfterMs: admission.retryAfterMs }
    : { ...base, openedAt: s.openedAt };
}
