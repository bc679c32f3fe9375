/**
 * Path-level differences between two states: what was added, removed or changed, with the old
 * and new values. Objects are compared key by key, arrays index by index; anything else by value.
 */
import type { Json } from '../ledger/json.js';

/** One difference. Paths read like `risk.rating` or `items[2].price`. */
export interface StateChange {
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly before?: Json;
  readonly after?: Json;
}

/** The differences between two versions of a run. */
export interface StateDiff {
  readonly runId: string;
  readonly from: number;
  readonly to: number;
  readonly changes: readonly StateChange[];
}

/** Lists the changes from `a` to `b`, in path order. */
export function diffJson(a: Json | undefined, b: Json | undefined, path = ''): StateChange[] {
  const out: StateChange[] = [];
  walk(a, b, path, out);
  return out;
}

function walk(a: Json | undefined, b: Json | undefined, path: string, out: StateChange[]): void {
  if (a === b) return;
  if (a === undefined) {
    out.push({ path, kind: 'added', after: b as Json });
    return;
  }
  if (b === undefined) {
    out.push({ path, kind: 'removed', before: a });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++)
      walk(a[i] as Json | undefined, b[i] as Json | undefined, `${path}[${i}]`, out);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b))
    out.push({ path, kind: 'changed', before: a, after: b });
}

function isRecord(v: Json): v is { readonly [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
