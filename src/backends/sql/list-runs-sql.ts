/**
 * The run list query of both SQL backends: filters, search attributes and keyset pagination in
 * one statement that an index answers in order, so a page costs the same at 1,000 or 1,000,000
 * runs.
 *
 * Invariants:
 * - Order is newest first: `created_at DESC, run_id DESC`; the cursor row's (created_at, run_id)
 *   bounds the page from above, so pages never overlap or skip a run.
 * - With search attributes, the first attribute drives the scan through
 *   `run_attributes (key, value, created_at, run_id)`; the others are EXISTS checks.
 */
import type { RunQuery } from '../../ledger/types.js';
import type { SqlParam } from './sql-rows.js';

/** Where the cursor run sits, read before the page. */
export interface CursorPosition {
  readonly createdAt: number;
  readonly runId: string;
}

/** The SQL and its parameters, with `mark(n)` giving the n-th (1-based) placeholder. */
export function listRunsQuery(
  q: RunQuery,
  cursor: CursorPosition | undefined,
  limit: number | undefined,
  mark: (n: number) => string,
): { text: string; values: SqlParam[] } {
  const values: SqlParam[] = [];
  const p = (v: SqlParam): string => {
    values.push(v);
    return mark(values.length);
  };
  const attrs = Object.entries(q.where ?? {});
  const conds: string[] = [];
  // The key the page is ordered by: the driving attribute's copy of (created_at, run_id).
  let from = 'runs r';
  let k = 'r';
  if (attrs.length > 0) {
    const [key, value] = attrs[0]!;
    from = 'run_attributes a0 JOIN runs r ON r.run_id = a0.run_id';
    k = 'a0';
    conds.push(`a0.key = ${p(key)} AND a0.value = ${p(value)}`);
    for (const [key2, value2] of attrs.slice(1)) {
      conds.push(
        `EXISTS (SELECT 1 FROM run_attributes ax WHERE ax.run_id = r.run_id AND ax.key = ${p(key2)} AND ax.value = ${p(value2)})`,
      );
    }
  }
  if (q.status) conds.push(`r.status = ${p(q.status)}`);
  if (q.workflow) conds.push(`r.workflow = ${p(q.workflow)}`);
  if (q.createdAfter !== undefined) conds.push(`${k}.created_at >= ${p(q.createdAfter)}`);
  if (q.createdBefore !== undefined) conds.push(`${k}.created_at < ${p(q.createdBefore)}`);
  if (cursor) {
    // A row-value comparison: both SQL engines answer it as one index range.
    conds.push(`(${k}.created_at, ${k}.run_id) < (${p(cursor.createdAt)}, ${p(cursor.runId)})`);
  }
  const where = conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '';
  const lim = limit === undefined ? '' : `LIMIT ${p(limit)}`;
  return {
    text: `SELECT r.* FROM ${from} ${where} ORDER BY ${k}.created_at DESC, ${k}.run_id DESC ${lim}`,
    values,
  };
}
