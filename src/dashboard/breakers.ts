/**
 * Breakers as the store recorded them: each transition (closed → open → half-open → closed) with
 * its time and reason, grouped by breaker, newest state first. Any process on the store sees
 * every runtime's breakers this way, not only its own.
 */
import type { Json, StateStore } from '../index.js';

/** One breaker: its latest state and its transitions, oldest first. */
export interface BreakerView {
  readonly name: string;
  readonly state: string;
  readonly since: number;
  readonly transitions: readonly {
    readonly at: number;
    readonly from: string;
    readonly to: string;
    readonly reason: string;
  }[];
}

/** Most transitions read (newest first) to build the view. */
const MAX_TRANSITIONS = 5_000;

/** Every breaker with recorded transitions. */
export async function readBreakers(store: StateStore): Promise<BreakerView[]> {
  const records = await store.queryRecords({
    kind: 'breaker',
    newestFirst: true,
    limit: MAX_TRANSITIONS,
  });
  const byName = new Map<string, BreakerView['transitions'][number][]>();
  for (const r of records.reverse()) {
    const b = r.body as { readonly [k: string]: Json };
    const list = byName.get(r.key) ?? [];
    list.push({
      at: r.at,
      from: String(b.from ?? ''),
      to: String(b.to ?? b.state ?? ''),
      reason: String(b.reason ?? ''),
    });
    byName.set(r.key, list);
  }
  return [...byName].map(([name, transitions]) => ({
    name,
    state: transitions.at(-1)?.to ?? 'closed',
    since: transitions.at(-1)?.at ?? 0,
    transitions,
  }));
}
