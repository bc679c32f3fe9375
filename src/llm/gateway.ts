/**
 * The model gateway: the serving layer between LLM agents and providers. One gateway is shared
 * by every agent of a runtime (pass `gateway.model(id)` as an agent's `model`), so its limits
 * hold for the whole process, whatever agent or run makes the call.
 *
 * Invariants:
 * - A call goes to the first model of its chain (the model, then its fallbacks) whose breaker
 *   is not open and that has capacity now; a model at a limit is passed over for the next.
 * - When every model of the chain is at a limit, the call waits for the soonest capacity, at
 *   most `maxWaitMs`, then fails with `ModelUnavailableError`. It never exceeds a limit.
 * - A model whose call fails is not retried within the same call; the next one is tried. An
 *   aborted call (its signal) neither falls back nor counts against the breaker.
 * - With `runBudget`, no call starts once its run has spent the budget, and a call that goes
 *   over it fails with `BudgetExceededError`.
 * - With `store`, rpm, tpm and concurrency are taken transactionally in the store (shared by
 *   every gateway on it); when the store cannot be reached the call waits, at most `maxWaitMs`,
 *   then fails with `StoreUnavailableError`. It never calls without a grant. Breakers stay per
 *   process.
 */
import type { LanguageModel } from 'ai';
import {
  type Clock,
  InvalidArgumentError,
  isBatonError,
  ModelUnavailableError,
  type StateStore,
  StoreUnavailableError,
  systemClock,
} from '../index.js';
import { type Budget, RunMeters, type Spent, validateBudget } from './budget.js';
import { type FleetGrant, FleetQuota, type FleetRefusal } from './fleet-quota.js';
import {
  describeModel,
  type InvokedCall,
  type ModelCallRequest,
  type ModelCallResult,
  type ModelInvoker,
  type ResolvedModel,
} from './model-call.js';
import {
  type LaneLease,
  type LaneRefusal,
  type LaneStats,
  type ModelBreakerOptions,
  ModelLane,
} from './model-lane.js';
import { costOf, type ModelPrice, totalTokens, validatePrice } from './pricing.js';
import { cachedCall, isResponseCache, type ResponseCache } from './response-cache.js';

/** One model of a gateway and its limits. */
export interface GatewayModelOptions {
  readonly model: LanguageModel;
  /** Requests per window (default: unlimited). */
  readonly rpm?: number;
  /** Input plus output tokens per window (default: unlimited). */
  readonly tpm?: number;
  /** Calls in flight at once (default: unlimited). */
  readonly concurrency?: number;
  readonly price?: ModelPrice;
  /** A breaker per model (default `{ failureThreshold: 3, resetAfterMs: 30_000 }`); false: none. */
  readonly breaker?: ModelBreakerOptions | false;
}

/** Options of {@link createModelGateway}. */
export interface ModelGatewayOptions {
  readonly models: Readonly<Record<string, GatewayModelOptions>>;
  /** For each model id, the models to try next, in order. */
  readonly fallbacks?: Readonly<Record<string, readonly string[]>>;
  /** The window of `rpm` and `tpm` (default 60,000 ms). */
  readonly windowMs?: number;
  /** How long a call waits for capacity before `ModelUnavailableError` (default 30,000 ms). */
  readonly maxWaitMs?: number;
  /** Limits on what each run may spend through this gateway. */
  readonly runBudget?: Budget;
  /** Runs whose spending is remembered for `runBudget` (default 10,000; oldest forgotten). */
  readonly maxTrackedRuns?: number;
  readonly clock?: Clock;
  /**
   * Holds every model's rpm, tpm and concurrency in this store rather than in this process, so
   * all gateways on the store (any process, any machine) share one limit per model id. Windows
   * are measured on the callers' clocks: keep the fleet's clocks in sync.
   */
  readonly store?: StateStore;
  /** With `store`: how long a call holds its concurrency slot if its process dies (default 600,000 ms). */
  readonly quotaLeaseMs?: number;
  /** With `store`: how often a call waiting on concurrency held elsewhere asks again (default 50 ms). */
  readonly quotaPollMs?: number;
  /**
   * Answers repeated prompts from a cache (`memoryResponseCache()` or `storeResponseCache()`):
   * a hit calls no model and takes no quota. Off by default; only calls without tools and with
   * deterministic settings (temperature 0, or a seed) are cached (see response-cache.ts).
   */
  readonly cache?: ResponseCache;
  /** Also cache calls with non-deterministic settings (default false). */
  readonly cacheNonDeterministic?: boolean;
}

/** A gateway model, to pass as an agent's `model`. */
export interface GatewayModel extends ModelInvoker {
  readonly kind: 'gateway-model';
  readonly id: string;
}

/** A model gateway. */
export interface ModelGateway {
  /**
   * The model `id` with its fallbacks.
   * @throws InvalidArgumentError for an unknown id.
   */
  model(id: string): GatewayModel;
  /** The current state of every model's limits and breaker. */
  stats(): LaneStats[];
  /** What a run spent through this gateway (undefined when this process has not seen it). */
  runSpent(runId: string): Spent | undefined;
}

/** True when `value` is a gateway model. */
export function isGatewayModel(value: unknown): value is GatewayModel {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'gateway-model'
  );
}

interface Entry {
  readonly lane: ModelLane;
  readonly resolved: ResolvedModel;
  /** The model's limits in the store (with the `store` option); the lane then keeps the breaker. */
  readonly fleet: FleetQuota | undefined;
}

/** The store could not be reached to take quota. */
interface StoreRefusal {
  readonly ok: false;
  readonly kind: 'store';
  readonly retryInMs: number;
  readonly error: unknown;
}

type Refusal = LaneRefusal | FleetRefusal | StoreRefusal;

/**
 * Creates a model gateway.
 * @throws InvalidArgumentError naming the bad option.
 * @example
 * const gateway = createModelGateway({
 *   models: { fast: { model: openai('gpt-4o-mini'), rpm: 500 }, backup: { model: local } },
 *   fallbacks: { fast: ['backup'] },
 * });
 * const explain = llmAgent({ ..., model: gateway.model('fast') });
 */
export function createModelGateway(options: ModelGatewayOptions): ModelGateway {
  const o = validateGatewayOptions(options);
  const clock = options.clock ?? systemClock;
  const windowMs = options.windowMs ?? 60_000;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of waiters) w();
    waiters.clear();
  };
  const entries = new Map<string, Entry>();
  for (const [id, m] of Object.entries(o.models)) {
    const breaker =
      m.breaker === false
        ? false
        : { failureThreshold: 3, resetAfterMs: 30_000, ...(m.breaker ?? {}) };
    const limits = { rpm: m.rpm, tpm: m.tpm, concurrency: m.concurrency, windowMs };
    const lane = new ModelLane(
      id,
      options.store ? { windowMs, breaker } : { ...limits, breaker },
      () => clock.now(),
      wake,
    );
    const fleet = options.store
      ? new FleetQuota(
          options.store.quotas,
          `model:${id}`,
          limits,
          options.quotaLeaseMs ?? 600_000,
          options.quotaPollMs ?? 50,
          clock,
          wake,
        )
      : undefined;
    entries.set(id, {
      lane,
      fleet,
      resolved: { id, ...describeModel(m.model), model: m.model, price: m.price },
    });
  }
  const meters = options.runBudget
    ? new RunMeters(options.runBudget, options.maxTrackedRuns ?? 10_000)
    : undefined;
  const ctx: CallContext = {
    clock,
    maxWaitMs: options.maxWaitMs ?? 30_000,
    meters,
    untilRelease: () => new Promise<void>((resolve) => waiters.add(resolve)),
  };
  const models = new Map<string, GatewayModel>();
  return {
    model(id) {
      const known = models.get(id);
      if (known) return known;
      if (!entries.has(id)) throw new InvalidArgumentError(`gateway has no model '${id}'`, 'model');
      const chain = [id, ...(o.fallbacks?.[id] ?? [])].map((m) => entries.get(m)!);
      const model: GatewayModel = Object.freeze({
        kind: 'gateway-model' as const,
        id,
        invoke: <R>(
          request: ModelCallRequest,
          fn: (model: ResolvedModel) => Promise<ModelCallResult<R>>,
        ) =>
          cachedCall(
            options.cache,
            options.cacheNonDeterministic ?? false,
            chain[0]!.resolved,
            request,
            (f) => invokeChain(ctx, chain, request, f),
            fn,
          ),
      });
      models.set(id, model);
      return model;
    },
    stats: () => [...entries.values()].map((e) => e.lane.stats(clock.now())),
    runSpent: (runId) => meters?.spent(runId),
  };
}

interface CallContext {
  readonly clock: Clock;
  readonly maxWaitMs: number;
  readonly meters: RunMeters | undefined;
  /** Resolves when any call of the gateway ends (a slot may have freed). */
  readonly untilRelease: () => Promise<void>;
}

async function invokeChain<R>(
  ctx: CallContext,
  chain: readonly Entry[],
  request: ModelCallRequest,
  fn: (model: ResolvedModel) => Promise<ModelCallResult<R>>,
): Promise<InvokedCall<R>> {
  const meter = ctx.meters?.of(request.runId);
  const deadline = ctx.clock.now() + ctx.maxWaitMs;
  const failed = new Map<string, string>();
  let lastError: unknown;
  let storeTries = 0;
  for (;;) {
    meter?.before();
    const now = ctx.clock.now();
    const refusals: [Entry, Refusal][] = [];
    for (const entry of chain) {
      if (failed.has(entry.resolved.id)) continue;
      const taken = entry.lane.tryTake(request.estimateTokens, now);
      if (!taken.ok) {
        refusals.push([entry, taken]);
        continue;
      }
      let grant: FleetGrant | undefined;
      if (entry.fleet) {
        const q = await takeFleet(entry.fleet, request.estimateTokens, storeTries);
        if (!q.ok) {
          taken.cancel();
          refusals.push([entry, q]);
          continue;
        }
        grant = q;
      }
      let out: InvokedCall<R>;
      try {
        out = await callOne(entry, taken, grant, request, fn);
      } catch (e) {
        if (request.signal?.aborted || !isModelFailure(e)) throw e;
        failed.set(entry.resolved.id, `${entry.resolved.id}: ${(e as Error).message ?? String(e)}`);
        lastError = e;
        continue;
      }
      meter?.after(totalTokens(out.tokens), out.costUsd, entry.resolved.id);
      return out;
    }
    const waitable = refusals.filter(([, r]) => r.kind !== 'breaker');
    const reasons = [...failed.values(), ...refusals.map(([e, r]) => describeRefusal(e, r))];
    const ids = chain.map((e) => e.resolved.id);
    if (waitable.length === 0) throw new ModelUnavailableError(ids, reasons, lastError);
    const left = deadline - ctx.clock.now();
    if (left <= 0) throw unavailable(ids, reasons, waitable, lastError, ctx.maxWaitMs);
    if (waitable.some(([, r]) => r.kind === 'store')) storeTries++;
    let soonest = left;
    for (const [, r] of waitable) if ('retryInMs' in r) soonest = Math.min(soonest, r.retryInMs);
    // A call ending frees a slot or settles tokens, never a request of the window: waiters held
    // only by rpm (or the store) sleep until the window slides, so a thousand of them are not
    // all woken by every call that ends.
    const wakeOnRelease = waitable.some(([, r]) => r.kind === 'concurrency' || r.kind === 'tpm');
    await waitFor(ctx, Math.max(1, soonest), request.signal, wakeOnRelease);
  }
}

/** Takes fleet quota; a store that cannot be reached is a refusal to wait on (with backoff). */
async function takeFleet(
  fleet: FleetQuota,
  estimate: number,
  tries: number,
): Promise<FleetGrant | FleetRefusal | StoreRefusal> {
  try {
    return await fleet.take(estimate);
  } catch (error) {
    return { ok: false, kind: 'store', retryInMs: Math.min(1_000, 50 * 2 ** tries), error };
  }
}

/** The error of a call that waited its limit: the store's when only the store stood in the way. */
function unavailable(
  ids: readonly string[],
  reasons: readonly string[],
  waitable: readonly [Entry, Refusal][],
  lastError: unknown,
  maxWaitMs: number,
): Error {
  const store = waitable.find(([, r]) => r.kind === 'store')?.[1] as StoreRefusal | undefined;
  if (store && waitable.every(([, r]) => r.kind === 'store'))
    return new StoreUnavailableError(
      `model gateway: the quota store could not be reached for ${maxWaitMs} ms, so no call was made to ${ids.join(', ')}`,
      store.error,
    );
  return new ModelUnavailableError(ids, reasons, lastError);
}

async function callOne<R>(
  entry: Entry,
  lease: LaneLease,
  grant: FleetGrant | undefined,
  request: ModelCallRequest,
  fn: (model: ResolvedModel) => Promise<ModelCallResult<R>>,
): Promise<InvokedCall<R>> {
  let outcome: 'success' | 'failure' | 'aborted' = 'failure';
  let used: number | undefined;
  try {
    const out = await fn(entry.resolved);
    used = totalTokens(out.tokens);
    lease.settle(used);
    outcome = 'success';
    return {
      ...out,
      model: entry.resolved,
      costUsd: out.costUsd ?? costOf(out.tokens, entry.resolved.price),
    };
  } catch (e) {
    if (request.signal?.aborted) outcome = 'aborted';
    throw e;
  } finally {
    // Awaited, so a process that closes its store after its last call leaves no slot held.
    await grant?.release(used);
    lease.release(outcome);
  }
}

/** Provider and transport errors fall back; Baton's own terminal errors (guards, budgets) do not. */
function isModelFailure(e: unknown): boolean {
  return !isBatonError(e) || e.retryable;
}

function describeRefusal(entry: Entry, r: Refusal): string {
  const id = entry.resolved.id;
  if (r.kind === 'store')
    return `${id}: quota store unreachable (${(r.error as Error)?.message ?? String(r.error)})`;
  if (r.kind === 'concurrency') return `${id}: at its concurrency limit`;
  if (r.kind === 'breaker') return `${id}: breaker open for ${Math.ceil(r.retryInMs)} ms`;
  return `${id}: ${r.kind} limit reached for ${Math.ceil(r.retryInMs)} ms`;
}

/** Sleeps `ms` or (with `onRelease`) until a call ends; rejects when `signal` aborts. */
async function waitFor(
  ctx: CallContext,
  ms: number,
  signal: AbortSignal | undefined,
  onRelease: boolean,
): Promise<void> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const sleep = ctx.clock.sleep(ms, stop.signal);
    await (onRelease ? Promise.race([sleep, ctx.untilRelease()]) : sleep);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!stop.signal.aborted) stop.abort();
  }
  if (signal?.aborted) throw signal.reason;
}

function validateGatewayOptions(options: ModelGatewayOptions): ModelGatewayOptions {
  const bad = (arg: string, msg: string): never => {
    throw new InvalidArgumentError(`createModelGateway: ${arg} ${msg}`, arg);
  };
  if (typeof options !== 'object' || options === null) bad('options', 'must be an object');
  const models = options.models;
  if (typeof models !== 'object' || models === null || Object.keys(models).length === 0)
    bad('models', 'must name at least one model');
  for (const [id, m] of Object.entries(models)) {
    if (typeof m !== 'object' || m === null || m.model === undefined || m.model === null)
      bad(`models.${id}`, 'must be { model, rpm?, tpm?, concurrency?, price?, breaker? }');
    for (const k of ['rpm', 'tpm', 'concurrency'] as const) {
      const v = m[k];
      if (v !== undefined && !(Number.isInteger(v) && v > 0))
        bad(`models.${id}.${k}`, `must be a positive integer, got ${JSON.stringify(v)}`);
    }
    validatePrice(m.price, `models.${id}.price`);
  }
  for (const [id, list] of Object.entries(options.fallbacks ?? {})) {
    if (!Object.hasOwn(models, id)) bad(`fallbacks.${id}`, `names an unknown model '${id}'`);
    if (!Array.isArray(list)) bad(`fallbacks.${id}`, 'must be an array of model ids');
    for (const f of list) {
      if (!Object.hasOwn(models, f))
        bad(`fallbacks.${id}`, `names an unknown model '${String(f)}'`);
      if (f === id) bad(`fallbacks.${id}`, 'must not name the model itself');
    }
  }
  if (
    options.store !== undefined &&
    (typeof options.store !== 'object' || typeof options.store?.quotas?.take !== 'function')
  )
    bad('store', 'must be a Baton store (memoryStore, sqliteStore, postgresStore)');
  if (options.cache !== undefined && !isResponseCache(options.cache))
    bad('cache', 'must be memoryResponseCache() or storeResponseCache(store, { ttlMs })');
  if (
    options.cacheNonDeterministic !== undefined &&
    typeof options.cacheNonDeterministic !== 'boolean'
  )
    bad('cacheNonDeterministic', 'must be a boolean');
  for (const k of [
    'windowMs',
    'maxWaitMs',
    'maxTrackedRuns',
    'quotaLeaseMs',
    'quotaPollMs',
  ] as const) {
    const v = options[k];
    if (v !== undefined && !(Number.isFinite(v) && v > 0))
      bad(k, `must be a positive number, got ${JSON.stringify(v)}`);
  }
  validateBudget(options.runBudget, 'runBudget');
  return options;
}
