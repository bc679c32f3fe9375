/**
 * Breakers shared by a fleet through the store: when one runtime's breaker for an agent opens,
 * every runtime on the same store fails fast on that agent too, instead of each process paying
 * `failureThreshold` failures of its own against a dependency that is down.
 *
 * Each runtime keeps a local breaker running the same pure state machine as the in-process one
 * (`breaker-state.ts`); its transitions are appended to the store as `breaker` records carrying
 * the full state and the writing instance. Before admitting a call, the breaker reads the newest
 * record of its name (at most once per `syncMs`, one read shared by concurrent callers) and
 * adopts a newer state written by another instance:
 * - remote open → local open from the remote `openedAt` (fail fast; probe after the reset);
 * - remote half-open (another instance is probing) → local open from the probe's start, so the
 *   fleet sends one probe per reset period, not one per process;
 * - remote closed (a probe succeeded elsewhere) → local closed.
 *
 * Invariants:
 * - Adoption bumps `generation`, so a call admitted before it can neither close nor count
 *   against the adopted state (same rule as the local machine).
 * - Within one process the admission decision and the `acquire` happen in one synchronous step
 *   after the sync, so two local callers never both become the probe.
 * - The store is advisory: a failed read or write never fails a call; the breaker then behaves
 *   exactly like the in-process one. Records are compared by their clock time, so machines'
 *   clocks must agree to within a small fraction of `resetAfterMs`.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Json } from '../ledger/json.js';
import type { StateStore } from '../ledger/store.js';
import {
  type BreakerEvent,
  type BreakerState,
  initialBreakerState,
  transitionBreaker,
} from './breaker-state.js';
import {
  type BreakerMachine,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  executeThrough,
  snapshotOf,
} from './circuit-breaker.js';
import { systemClock } from './clock.js';

/** Options of {@link createSharedBreakerFactory}. */
export interface SharedBreakerOptions {
  /** The store every runtime of the fleet uses. */
  readonly store: StateStore;
  /** This runtime's id (its lease owner id is a good choice); its own records are not adopted. */
  readonly instance: string;
  /** How often a breaker reads the fleet's state, at most (default 1000 ms; 0 = every call). */
  readonly syncMs?: number;
}

/** What a shared breaker writes in a `breaker` record's body. */
export interface SharedBreakerRecord {
  readonly breaker: string;
  readonly from: BreakerState['state'];
  readonly to: BreakerState['state'];
  readonly at: number;
  readonly reason: string;
  readonly instance: string;
  /** Grows with each record an instance writes for this breaker. */
  readonly seq: number;
  readonly state: BreakerState;
}

/** Builds circuit breakers: the seam a guard registry calls instead of `createCircuitBreaker`. */
export type BreakerFactory = (options: CircuitBreakerOptions) => CircuitBreaker;

/**
 * Returns a factory of breakers whose state is shared through `store` with every runtime using
 * the same store (see the module comment for the rules).
 * @throws InvalidArgumentError when `syncMs` is negative or not an integer.
 * @example
 * const breakerFactory = createSharedBreakerFactory({ store, instance: owner });
 */
export function createSharedBreakerFactory(options: SharedBreakerOptions): BreakerFactory {
  const syncMs = options.syncMs ?? 1000;
  if (!Number.isInteger(syncMs) || syncMs < 0) {
    throw new InvalidArgumentError(
      `syncMs must be a non-negative integer, got ${String(syncMs)}`,
      'syncMs',
    );
  }
  return (o) => createSharedBreaker(o, options.store, options.instance, syncMs);
}

function createSharedBreaker(
  options: CircuitBreakerOptions,
  store: StateStore,
  instance: string,
  syncMs: number,
): CircuitBreaker {
  const { name, policy, onTransition } = options;
  const clock = options.clock ?? systemClock;
  let current = options.initialState ?? initialBreakerState(clock.now());
  /** Clock time of the newest state this breaker knows (its own change or an adopted one). */
  let knownAt = Number.NEGATIVE_INFINITY;
  /** `instance#seq` of the record holding that state (records at one instant are told apart). */
  let knownKey = '';
  let seq = 0;
  let lastSync = Number.NEGATIVE_INFINITY;
  let syncing: Promise<void> | undefined;

  const publish = (before: BreakerState, at: number): void => {
    const body: SharedBreakerRecord = {
      breaker: name,
      from: before.state,
      to: current.state,
      at,
      reason: current.reason,
      instance,
      seq: ++seq,
      state: current,
    };
    knownKey = `${instance}#${seq}`;
    store
      .appendRecords([
        { kind: 'breaker', key: name, runId: null, at, body: body as unknown as Json },
      ])
      .catch(() => undefined);
    if (!onTransition) return;
    try {
      const r = onTransition({
        breaker: name,
        from: before.state,
        to: current.state,
        at,
        reason: current.reason,
      });
      if (r instanceof Promise) r.catch(() => undefined);
    } catch {
      // An observer never changes a call's outcome.
    }
  };

  const apply = (event: BreakerEvent): void => {
    const before = current;
    const at = clock.now();
    current = transitionBreaker(before, event, at, policy);
    if (before.state === current.state) return;
    knownAt = at;
    publish(before, at);
  };

  const adopt = (remote: SharedBreakerRecord): void => {
    const key = `${remote.instance}#${remote.seq}`;
    if (remote.instance === instance || key === knownKey || remote.at < knownAt) return;
    knownAt = remote.at;
    knownKey = key;
    const s = remote.state;
    const generation = Math.max(current.generation, s.generation) + 1;
    if (s.state === 'closed') {
      if (current.state === 'closed') return;
      current = {
        state: 'closed',
        consecutiveFailures: 0,
        generation,
        since: remote.at,
        reason: `closed by ${remote.instance}: ${s.reason}`,
      };
      return;
    }
    // Open elsewhere, or being probed elsewhere (then wait a reset period from the probe's start).
    const openedAt = s.state === 'open' ? s.openedAt : s.since;
    if (current.state !== 'closed' && current.state !== 'half-open' && current.openedAt >= openedAt)
      return;
    if (current.state === 'half-open' && current.probeInFlight) return; // our own probe decides
    current = {
      state: 'open',
      openedAt,
      consecutiveFailures: s.consecutiveFailures,
      generation,
      since: remote.at,
      reason: `${s.state === 'open' ? 'opened' : 'being probed'} by ${remote.instance}: ${s.reason}`,
    };
  };

  const sync = (): Promise<void> | undefined => {
    const now = clock.now();
    if (syncing) return syncing;
    if (now - lastSync < syncMs) return undefined;
    lastSync = now;
    syncing = store
      .queryRecords({ kind: 'breaker', key: name, newestFirst: true, limit: 1 })
      .then(
        ([record]) => {
          const body = record?.body as Partial<SharedBreakerRecord> | undefined;
          if (
            body &&
            typeof body.instance === 'string' &&
            body.state &&
            typeof body.at === 'number'
          )
            adopt(body as SharedBreakerRecord);
        },
        () => undefined,
      )
      .finally(() => {
        syncing = undefined;
      });
    return syncing;
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
    async execute<T>(
      fn: () => Promise<T>,
      opts?: Parameters<CircuitBreaker['execute']>[1],
    ): Promise<T> {
      const pending = sync();
      if (pending) await pending;
      return executeThrough(machine, fn, opts);
    },
    snapshot: () => snapshotOf(name, current, clock.now(), policy),
    state: () => current,
  };
}
