/**
 * Reads a run's trace back from the built-in trace store.
 *
 * Invariants:
 * - The result is depth-first: each span is followed by its children, siblings ordered by start
 *   time (ties by name), roots (one per drive of the run) ordered by start time.
 * - A span whose parent is not in the store (pruned, or written by another process that crashed
 *   before flushing) is shown as a root rather than dropped.
 */
import type { StateStore } from '../ledger/store.js';
import { isStoredSpan, type StoredSpan, type TraceSpan } from './stored-span.js';

/**
 * The spans of a run, as a depth-first list with depths (empty when none are stored).
 * @example
 * await tracing.flush();
 * console.log(renderWaterfall(await readTrace(store, run.id)));
 */
export async function readTrace(store: StateStore, runId: string): Promise<TraceSpan[]> {
  const records = await store.queryRecords({ kind: 'span', runId });
  const spans: StoredSpan[] = [];
  for (const r of records) if (isStoredSpan(r.body)) spans.push(r.body);
  return orderSpans(spans);
}

/** Orders spans depth-first with their depths (see the module invariants). */
export function orderSpans(spans: readonly StoredSpan[]): TraceSpan[] {
  const byId = new Map<string, StoredSpan>();
  for (const s of spans) byId.set(s.spanId, s);
  const children = new Map<string, StoredSpan[]>();
  const roots: StoredSpan[] = [];
  for (const s of byId.values()) {
    const parent = s.parentSpanId;
    if (parent === null || !byId.has(parent)) {
      roots.push(s);
      continue;
    }
    const list = children.get(parent);
    if (list) list.push(s);
    else children.set(parent, [s]);
  }
  const out: TraceSpan[] = [];
  // Iterative, so a deep or malformed trace cannot overflow the stack.
  const stack: { span: StoredSpan; depth: number }[] = roots
    .sort(byStart)
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  const seen = new Set<string>();
  while (stack.length > 0) {
    const { span, depth } = stack.pop()!;
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    out.push({ ...span, depth });
    const kids = children.get(span.spanId);
    if (!kids) continue;
    kids.sort(byStart);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
  }
  return out;
}

function byStart(a: StoredSpan, b: StoredSpan): number {
  return a.start - b.start || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
