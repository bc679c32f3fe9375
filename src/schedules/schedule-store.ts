/**
 * Schedules as stored: auxiliary records of kind `schedule`, keyed by name, newest first wins
 * (a change appends a record; nothing is updated in place). A deletion is a record with
 * `deleted: true`; a manual trigger is a record with `trigger: <ms>`. No table changes.
 */
import { NotFoundError } from '../errors.js';
import type { Json } from '../ledger/json.js';
import type { StateStore } from '../ledger/store.js';
import type { ScheduleConfig } from './schedule-types.js';

type Body = (ScheduleConfig & { readonly deleted?: boolean }) | { readonly trigger: number };

/** The live definition of every schedule (deleted ones left out), by name. */
export async function readSchedules(store: StateStore): Promise<Map<string, ScheduleConfig>> {
  const out = new Map<string, ScheduleConfig>();
  const seen = new Set<string>();
  for (const r of await store.queryRecords({ kind: 'schedule', newestFirst: true })) {
    const body = r.body as unknown as Body;
    if ('trigger' in body || seen.has(r.key)) continue;
    seen.add(r.key);
    if (!body.deleted) out.set(r.key, body);
  }
  return out;
}

/** One schedule's live definition. @throws NotFoundError */
export async function readSchedule(store: StateStore, name: string): Promise<ScheduleConfig> {
  for (const r of await store.queryRecords({ kind: 'schedule', key: name, newestFirst: true })) {
    const body = r.body as unknown as Body;
    if ('trigger' in body) continue;
    if (body.deleted) break;
    return body;
  }
  throw new NotFoundError('schedule', name);
}

/** Appends a schedule's new definition (or its deletion). */
export async function writeSchedule(
  store: StateStore,
  config: ScheduleConfig,
  deleted = false,
): Promise<void> {
  const body = { ...config, ...(deleted ? { deleted: true } : {}) } as unknown as Json;
  await store.appendRecords([
    { kind: 'schedule', key: config.name, runId: null, at: config.updatedAt, body },
  ]);
}

/** Records a request to run a schedule now (carried out by a runtime that has its workflow). */
export async function writeTrigger(store: StateStore, name: string, at: number): Promise<void> {
  await store.appendRecords([
    { kind: 'schedule', key: name, runId: null, at, body: { trigger: at } },
  ]);
}

/** Trigger requests of a schedule, newest first (the last `limit`). */
export async function readTriggers(store: StateStore, name: string, limit = 20): Promise<number[]> {
  const out: number[] = [];
  for (const r of await store.queryRecords({ kind: 'schedule', key: name, newestFirst: true })) {
    const body = r.body as unknown as Body;
    if ('trigger' in body) out.push(body.trigger);
    if (out.length >= limit) break;
  }
  return out;
}
