/**
 * A run's trace with its child runs' traces nested under the steps that started them (child
 * workflows: `.step(name, workflow)`, `.map(name, workflow)`), at any depth.
 *
 * Invariants:
 * - Each run's own spans are as `readTrace` gives them; only a child run's root spans (one per
 *   drive) gain a parent: the parent run's span of the step that started the child (the latest
 *   one that began before the child's drive — a step driven twice after a crash has two).
 * - Children are found from the store alone: a child run carries the search attribute
 *   `baton.parent` (set by the runtime), and its id is `<parent>.<step>[.<i>]` (step names hold
 *   no dot).
 * - At most MAX_NESTED_RUNS child runs are read (breadth-first); the rest are left out.
 */
import type { StateStore } from '../ledger/store.js';
import { orderSpans } from './read-trace.js';
import { isStoredSpan, type StoredSpan, type TraceSpan } from './stored-span.js';

/** Most child runs (all depths) whose spans are nested into one trace. */
export const MAX_NESTED_RUNS = 1_000;

const PARENT = 'baton.parent';
const STEP = 'baton.step';

async function spansOf(store: StateStore, runId: string): Promise<StoredSpan[]> {
  const records = await store.queryRecords({ kind: 'span', runId });
  const out: StoredSpan[] = [];
  for (const r of records) if (isStoredSpan(r.body)) out.push(r.body);
  return out;
}

/** The spans of `runId` and its descendants, depth-first, children under their parents' steps. */
export async function readNestedTrace(store: StateStore, runId: string): Promise<TraceSpan[]> {
  const all = await spansOf(store, runId);
  const queue: { runId: string; spans: StoredSpan[] }[] = [{ runId, spans: all }];
  let read = 0;
  while (queue.length > 0 && read < MAX_NESTED_RUNS) {
    const parent = queue.shift()!;
    const kids = await store.listRuns({ where: { [PARENT]: parent.runId } });
    kids.sort((a, b) => a.runId.localeCompare(b.runId, 'en', { numeric: true }));
    for (const kid of kids.slice(0, MAX_NESTED_RUNS - read)) {
      read++;
      const step = kid.runId.slice(parent.runId.length + 1).split('.')[0];
      const steps = parent.spans
        .filter((s) => s.kind === 'step' && s.attributes[STEP] === step)
        .sort((a, b) => a.start - b.start);
      const spans = (await spansOf(store, kid.runId)).map((s) => {
        if (s.parentSpanId !== null || steps.length === 0) return s;
        const under = steps.filter((p) => p.start <= s.start).at(-1) ?? steps[0]!;
        return { ...s, parentSpanId: under.spanId };
      });
      all.push(...spans);
      queue.push({ runId: kid.runId, spans });
    }
  }
  return orderSpans(all);
}
