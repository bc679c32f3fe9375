/**
 * Token and cost usage read back from the spans in the built-in trace store: what
 * `baton usage` prints and what a runtime's `usage()` returns. Each attempt span that reported
 * model usage counts once, with the tokens and cost summed over its calls.
 *
 * Invariants:
 * - This module imports nothing from the AI SDK: the core and the CLI may use it.
 * - Only spans written by a runtime with `createTracing({ store })` are seen, and only once
 *   they are flushed; spans pruned by retention are gone from the totals.
 * - `costUsd` is null for a group none of whose calls had a price.
 */
import type { StateStore } from '../ledger/store.js';
import { isStoredSpan, type StoredSpan, TRACE_NAMES, type TraceAttributes } from './stored-span.js';

/** How usage rows are grouped. */
export type UsageGroupBy = 'agent' | 'model' | 'workflow' | 'run' | 'step';

/** Which usage to read. */
export interface UsageQuery {
  /** Only attempts that started at or after this time (epoch ms). */
  readonly since?: number;
  /** Only attempts that started before this time (epoch ms). */
  readonly until?: number;
  readonly runId?: string;
  readonly workflow?: string;
  /** `name` or `name@version`. */
  readonly agent?: string;
  /** The provider's model id (`gen_ai.request.model`). */
  readonly model?: string;
  /** Default 'agent'. */
  readonly groupBy?: UsageGroupBy;
}

/** Usage of one group. */
export interface UsageRow {
  /** `name@version` for agents; the model id, workflow name, run id or step name otherwise. */
  readonly key: string;
  /** Attempt spans that reported usage. */
  readonly attempts: number;
  /** Model calls (re-asks included). */
  readonly calls: number;
  readonly runs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly reasoningTokens: number;
  readonly costUsd: number | null;
}

/** What {@link readUsage} returns: rows by key (sorted by cost, then tokens) and the total. */
export interface UsageReport {
  readonly groupBy: UsageGroupBy;
  readonly rows: readonly UsageRow[];
  readonly total: UsageRow;
}

class Sum {
  attempts = 0;
  calls = 0;
  inputTokens = 0;
  outputTokens = 0;
  cachedInputTokens = 0;
  reasoningTokens = 0;
  costUsd: number | null = null;
  readonly runs = new Set<string>();

  add(s: StoredSpan): void {
    const a = s.attributes;
    this.attempts++;
    this.calls += num(a['baton.llm.calls']) || 1;
    this.inputTokens += num(a[TRACE_NAMES.inputTokens]);
    this.outputTokens += num(a[TRACE_NAMES.outputTokens]);
    this.cachedInputTokens += num(a[TRACE_NAMES.cachedInputTokens]);
    this.reasoningTokens += num(a[TRACE_NAMES.reasoningTokens]);
    const cost = a[TRACE_NAMES.costUsd];
    if (typeof cost === 'number') this.costUsd = (this.costUsd ?? 0) + cost;
    this.runs.add(s.runId);
  }

  row(key: string): UsageRow {
    return {
      key,
      attempts: this.attempts,
      calls: this.calls,
      runs: this.runs.size,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cachedInputTokens: this.cachedInputTokens,
      reasoningTokens: this.reasoningTokens,
      costUsd: this.costUsd === null ? null : Math.round(this.costUsd * 1e9) / 1e9,
    };
  }
}

/**
 * Reads token and cost usage from the stored spans, grouped by agent, model, workflow, run or
 * step.
 * @example
 * const { rows, total } = await readUsage(store, { since: Date.now() - 86_400_000, groupBy: 'model' });
 */
export async function readUsage(store: StateStore, query: UsageQuery = {}): Promise<UsageReport> {
  const groupBy = query.groupBy ?? 'agent';
  const records = await store.queryRecords(
    query.runId !== undefined ? { kind: 'span', runId: query.runId } : { kind: 'span' },
  );
  const groups = new Map<string, Sum>();
  const total = new Sum();
  for (const r of records) {
    const s = r.body;
    if (!isStoredSpan(s) || s.kind !== 'attempt' || !matches(s, query)) continue;
    const key = keyOf(s.attributes, groupBy, s.runId);
    const sum = groups.get(key) ?? new Sum();
    groups.set(key, sum);
    sum.add(s);
    total.add(s);
  }
  const rows = [...groups].map(([k, sum]) => sum.row(k));
  rows.sort(
    (a, b) =>
      (b.costUsd ?? 0) - (a.costUsd ?? 0) ||
      b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens) ||
      a.key.localeCompare(b.key),
  );
  return { groupBy, rows, total: total.row('total') };
}

function matches(s: StoredSpan, q: UsageQuery): boolean {
  const a = s.attributes;
  if (typeof a[TRACE_NAMES.inputTokens] !== 'number') return false;
  if (q.since !== undefined && s.start < q.since) return false;
  if (q.until !== undefined && s.start >= q.until) return false;
  if (q.workflow !== undefined && a['baton.workflow'] !== q.workflow) return false;
  if (q.model !== undefined && a[TRACE_NAMES.model] !== q.model) return false;
  if (q.agent !== undefined) {
    const name = String(a['baton.agent']);
    if (q.agent !== name && q.agent !== `${name}@${String(a['baton.agent.version'])}`) return false;
  }
  return true;
}

function keyOf(a: TraceAttributes, groupBy: UsageGroupBy, runId: string): string {
  switch (groupBy) {
    case 'agent':
      return `${String(a['baton.agent'] ?? '?')}@${String(a['baton.agent.version'] ?? '?')}`;
    case 'model':
      return String(a[TRACE_NAMES.model] ?? '?');
    case 'workflow':
      return String(a['baton.workflow'] ?? '?');
    case 'run':
      return runId;
    case 'step':
      return String(a['baton.step'] ?? '?');
  }
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
