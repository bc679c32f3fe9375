/**
 * Quotas of the memory store: one process, so a take is one synchronous step (the same rules
 * as the SQL backends, from quota-rules.ts).
 */
import { judgeQuota, type QuotaRow, releasedBody } from '../../ledger/quota-rules.js';
import type { QuotaOutcome, QuotaRequest, QuotaStore } from '../../ledger/quota-store.js';

/** Creates the quota side of a memory store; `assertOpen` throws once the store is closed. */
export function createMemoryQuotaStore(assertOpen: () => void): QuotaStore {
  const byKey = new Map<string, QuotaRow[]>();
  let nextId = 1;
  return {
    async take(req: QuotaRequest): Promise<QuotaOutcome> {
      assertOpen();
      const rows = byKey.get(req.key) ?? [];
      const { verdict, dead } = judgeQuota(rows, req);
      const gone = new Set(dead);
      const kept = rows.filter((r) => !gone.has(r.id));
      if (!verdict.ok) {
        byKey.set(req.key, kept);
        return verdict;
      }
      const id = nextId++;
      kept.push({ id, at: req.now, ...verdict.body });
      byKey.set(req.key, kept);
      return { ok: true, id };
    },
    async release(key: string, id: number, tokens: number | undefined): Promise<void> {
      assertOpen();
      const rows = byKey.get(key);
      const i = rows?.findIndex((r) => r.id === id) ?? -1;
      if (!rows || i < 0) return;
      const row = rows[i]!;
      rows[i] = { id, at: row.at, ...releasedBody(row, tokens) };
    },
  };
}
