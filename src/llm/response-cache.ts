/**
 * The model gateway's optional response cache: a model's answer to a prompt, kept so the same
 * prompt with the same parameters is not paid for twice. Off by default (`createModelGateway({
 * cache })`); two implementations: an in-process LRU and a store-backed one (aux records of
 * kind 'llm-cache', no migration) that every worker on the store shares.
 *
 * Invariants:
 * - The key is sha256 of the canonical JSON of the model (provider and model id), the system
 *   message, every message, the output contract's id (a published contract never changes
 *   shape) and the call settings.
 * - Only calls the caller marked cacheable are looked up: no tools (a cached answer would skip
 *   the tool agents' calls and their journal), and deterministic settings (temperature 0 or a
 *   seed) unless the gateway says `cacheNonDeterministic: true`.
 * - A hit makes no model call, takes no quota and reports zero tokens and zero cost, marked
 *   cached. The caller still validates the answer (contract, guards): a cache never bypasses them.
 * - A cache that fails (store down) is a miss, never a failed call; an entry past its TTL is a
 *   miss.
 */
import { createHash } from 'node:crypto';
import {
  type Clock,
  canonicalJson,
  InvalidArgumentError,
  type Json,
  type StateStore,
  systemClock,
} from '../index.js';
import type {
  InvokedCall,
  ModelCallRequest,
  ModelCallResult,
  ResolvedModel,
} from './model-call.js';
import { ZERO_TOKENS } from './pricing.js';

/** The aux record kind of the store-backed cache. */
export const LLM_CACHE_KIND = 'llm-cache';

/** Where cached answers are kept. */
export interface ResponseCache {
  readonly kind: 'response-cache';
  /** The answer kept under `key`, if any and not expired. */
  get(key: string): Promise<Json | undefined>;
  set(key: string, value: Json): Promise<void>;
}

/** Options of {@link memoryResponseCache}. */
export interface MemoryResponseCacheOptions {
  /** Entries kept; the least recently used goes first (default 1,000). */
  readonly maxEntries?: number;
  /** How long an entry is served (default: until evicted). */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

/** Options of {@link storeResponseCache}. */
export interface StoreResponseCacheOptions {
  /** How long an entry is served (required: stored answers outlive every process). */
  readonly ttlMs: number;
  readonly clock?: Clock;
}

/**
 * An in-process LRU response cache.
 * @throws InvalidArgumentError for a bad option.
 */
export function memoryResponseCache(options: MemoryResponseCacheOptions = {}): ResponseCache {
  const maxEntries = options.maxEntries ?? 1_000;
  if (!(Number.isInteger(maxEntries) && maxEntries > 0))
    throw new InvalidArgumentError(
      `memoryResponseCache: maxEntries must be a positive integer, got ${JSON.stringify(maxEntries)}`,
      'maxEntries',
    );
  checkTtl('memoryResponseCache', options.ttlMs, false);
  const clock = options.clock ?? systemClock;
  const entries = new Map<string, { value: Json; expiresAt: number }>();
  return Object.freeze({
    kind: 'response-cache' as const,
    async get(key: string) {
      const e = entries.get(key);
      if (!e) return undefined;
      entries.delete(key);
      if (e.expiresAt <= clock.now()) return undefined;
      entries.set(key, e); // most recently used last
      return e.value;
    },
    async set(key: string, value: Json) {
      entries.delete(key);
      entries.set(key, { value, expiresAt: clock.now() + (options.ttlMs ?? Infinity) });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
  });
}

/**
 * A response cache in a Baton store, shared by every gateway on it. Entries are append-only
 * records; expired ones are pruned with `store.pruneRecords('llm-cache', before)`.
 * @throws InvalidArgumentError for a bad store or TTL.
 */
export function storeResponseCache(
  store: StateStore,
  options: StoreResponseCacheOptions,
): ResponseCache {
  if (typeof store?.queryRecords !== 'function' || typeof store.appendRecords !== 'function')
    throw new InvalidArgumentError('storeResponseCache: store must be a Baton store', 'store');
  checkTtl('storeResponseCache', options?.ttlMs, true);
  const clock = options.clock ?? systemClock;
  return Object.freeze({
    kind: 'response-cache' as const,
    async get(key: string) {
      const [r] = await store.queryRecords({
        kind: LLM_CACHE_KIND,
        key,
        newestFirst: true,
        limit: 1,
      });
      if (!r || r.at + options.ttlMs <= clock.now()) return undefined;
      return (r.body as { value: Json }).value;
    },
    async set(key: string, value: Json) {
      await store.appendRecords([
        { kind: LLM_CACHE_KIND, key, runId: null, at: clock.now(), body: { value } },
      ]);
    },
  });
}

/** True when `value` is a response cache. */
export function isResponseCache(value: unknown): value is ResponseCache {
  return (value as { kind?: unknown } | null)?.kind === 'response-cache';
}

/** The cache key of a call to `model`. */
export function responseCacheKey(model: ResolvedModel, prompt: Json): string {
  const text = canonicalJson({ model: `${model.provider}:${model.modelId}`, prompt });
  return createHash('sha256').update(text).digest('hex');
}

/** A call through `cache` (see the module invariants); `call` makes the real one. */
export async function cachedCall<R>(
  cache: ResponseCache | undefined,
  allowNonDeterministic: boolean,
  primary: ResolvedModel,
  request: ModelCallRequest,
  call: (fn: (model: ResolvedModel) => Promise<ModelCallResult<R>>) => Promise<InvokedCall<R>>,
  fn: (model: ResolvedModel) => Promise<ModelCallResult<R>>,
): Promise<InvokedCall<R>> {
  const spec = request.cache;
  if (!cache || !spec || !(spec.deterministic || allowNonDeterministic)) return call(fn);
  const hit = await cache.get(responseCacheKey(primary, spec.prompt)).catch(() => undefined);
  if (hit !== undefined)
    return { value: hit as R, tokens: ZERO_TOKENS, costUsd: 0, model: primary, cached: true };
  const out = await call(fn);
  try {
    await cache.set(responseCacheKey(out.model, spec.prompt), JSON.parse(canonicalJson(out.value)));
  } catch {
    // A value that is not JSON, or a cache that cannot be written: the call stands, uncached.
  }
  return out;
}

function checkTtl(subject: string, ttlMs: unknown, required: boolean): void {
  if (ttlMs === undefined && !required) return;
  if (!(typeof ttlMs === 'number' && Number.isFinite(ttlMs) && ttlMs > 0))
    throw new InvalidArgumentError(
      `${subject}: ttlMs must be a positive number of milliseconds, got ${JSON.stringify(ttlMs)}`,
      'ttlMs',
    );
}
