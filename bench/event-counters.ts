/**
 * Load-independent counters for the choreography benches: fsyncs of the WAL (the background
 * syncer's `fs.fsync` calls) and store calls by kind (each write call is one transaction), so a
 * change is judged by what it costs per event, not by a wall time that moves with the load.
 */
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { EventStore } from '../src/ledger/event-store.js';

/** What the counters saw. */
export interface EventCounts {
  fsyncs: number;
  /** Milliseconds from each fsync's start to its callback, summed. */
  fsyncMs: number;
  /** SQL statements run on files (not `:memory:` databases, where the fixture counts effects). */
  queries: number;
  calls: Record<string, number>;
}

/** Counts every `fs.fsync` from now on (call before the store opens). */
export function countFsyncs(counts: EventCounts): void {
  const original = fs.fsync;
  const counted = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    counts.fsyncs++;
    const t0 = performance.now();
    original(fd, (err) => {
      counts.fsyncMs += performance.now() - t0;
      cb(err);
    });
  }) as typeof fs.fsync;
  fs.fsync = counted;
  syncBuiltinESMExports();
}

/** Counts every statement run on a file database from now on (all better-sqlite3 statements). */
export function countQueries(counts: EventCounts): void {
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (
    p: string,
  ) => { prepare(sql: string): object; close(): void };
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const fn = proto[name] as (...a: unknown[]) => unknown;
    proto[name] = function (this: { database: { memory: boolean } }, ...args: unknown[]) {
      if (!this.database.memory) counts.queries++;
      return fn.apply(this, args);
    };
  }
}

/** Counts the calls made to `store` (its methods are wrapped in place). */
export function countStoreCalls(store: EventStore, counts: EventCounts): void {
  const target = store as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of Object.keys(target)) {
    const fn = target[name];
    if (typeof fn !== 'function') continue;
    target[name] = (...args: unknown[]) => {
      counts.calls[name] = (counts.calls[name] ?? 0) + 1;
      return fn.apply(store, args);
    };
  }
}

/** A fresh set of counters. */
export const newCounts = (): EventCounts => ({ fsyncs: 0, fsyncMs: 0, queries: 0, calls: {} });

/** Counts since `before`, per handled event. */
export function perEvent(now: EventCounts, before: EventCounts, handled: number) {
  const calls: Record<string, number> = {};
  for (const [k, v] of Object.entries(now.calls)) {
    const d = v - (before.calls[k] ?? 0);
    if (d > 0) calls[k] = Number((d / handled).toFixed(3));
  }
  const fsyncsPerEvent = Number(((now.fsyncs - before.fsyncs) / handled).toFixed(3));
  const queriesPerEvent = Number(((now.queries - before.queries) / handled).toFixed(2));
  const fsyncs = now.fsyncs - before.fsyncs;
  const msPerFsync = fsyncs > 0 ? Number(((now.fsyncMs - before.fsyncMs) / fsyncs).toFixed(2)) : 0;
  return { fsyncsPerEvent, msPerFsync, queriesPerEvent, calls };
}
