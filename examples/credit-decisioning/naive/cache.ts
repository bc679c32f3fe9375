/**
 * The naive architecture's cache: an in-process, read-through cache with a TTL in front of the
 * customer table, keyed per field (`score:app-000042`) like a typical key-value cache.
 *
 * Invariants (the bug, on purpose):
 * - Writes go straight to the database and never invalidate or update the cache: once a value
 *   is cached, every reader gets it back until its TTL expires, whatever the database holds.
 * - Only values are cached, never misses: a field nobody has written yet is re-read from the
 *   database on every call (otherwise readers would wait out the TTL on every new field).
 * - A TTL of 0 disables caching (every read goes to the database), for comparison.
 */
import type { CustomerDb, CustomerFields, Field } from './customer-db.js';

/** Counters of a cache's activity. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
}

/** A read-through cache over the customer table. */
export interface CustomerCache {
  /** The field's value: from the cache while fresh, else from the database (then cached). */
  get<F extends Field>(applicantId: string, field: F): CustomerFields[F] | null;
  stats(): CacheStats;
}

/** Options of {@link createCustomerCache}. */
export interface CustomerCacheOptions {
  readonly db: CustomerDb;
  /** How long a cached value is served, in ms; 0 disables caching. */
  readonly ttlMs: number;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
}

/**
 * Creates a read-through cache over the customer table.
 * @throws RangeError when ttlMs is negative or not finite.
 */
export function createCustomerCache(options: CustomerCacheOptions): CustomerCache {
  const { db, ttlMs, now = () => performance.now() } = options;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new RangeError(`ttlMs must be a finite number >= 0, got ${ttlMs}`);
  }
  const entries = new Map<string, { value: unknown; expiresAt: number }>();
  let hits = 0;
  let misses = 0;
  return {
    get<F extends Field>(applicantId: string, field: F): CustomerFields[F] | null {
      const key = `${field}:${applicantId}`;
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt > now()) {
        hits += 1;
        return entry.value as CustomerFields[F];
      }
      misses += 1;
      const value = db.read(applicantId, field);
      if (value !== null && ttlMs > 0) entries.set(key, { value, expiresAt: now() + ttlMs });
      return value;
    },
    stats: () => ({ hits, misses }),
  };
}
