/**
 * The one judgement every backend's quota `take` makes inside its transaction, so the rules
 * cannot drift between memory, SQLite and PostgreSQL (see quota-store.ts for the contract).
 */
import type { QuotaOutcome, QuotaRequest } from './quota-store.js';

/** The record kind quota rows are stored under. */
export const QUOTA_KIND = 'quota';

/** One taken call as stored: `until` is its lease expiry while in flight, 0 once released. */
export interface QuotaRow {
  readonly id: number;
  readonly at: number;
  readonly tokens: number;
  readonly until: number;
}

/** The body of a quota record. */
export interface QuotaBody {
  readonly tokens: number;
  readonly until: number;
}

/** The verdict on a take: allowed or refused, and which stored rows are dead (to delete). */
export interface QuotaJudgement {
  readonly verdict:
    | { readonly ok: true; readonly body: QuotaBody }
    | Exclude<QuotaOutcome, { ok: true }>;
  readonly dead: readonly number[];
}

/** Parses a stored quota body; an unreadable one counts as released with no tokens. */
export function parseQuotaBody(text: string): QuotaBody {
  try {
    const b = JSON.parse(text) as Partial<QuotaBody>;
    return {
      tokens: typeof b.tokens === 'number' ? b.tokens : 0,
      until: typeof b.until === 'number' ? b.until : 0,
    };
  } catch {
    return { tokens: 0, until: 0 };
  }
}

/** Judges `req` against the key's stored rows. */
export function judgeQuota(rows: readonly QuotaRow[], req: QuotaRequest): QuotaJudgement {
  const { now, estimate, limits } = req;
  const since = now - limits.windowMs;
  const live: QuotaRow[] = [];
  const dead: number[] = [];
  let inFlight = 0;
  for (const r of rows) {
    const flying = r.until > now;
    if (flying) inFlight++;
    if (r.at > since) live.push(r);
    else if (!flying) dead.push(r.id);
  }
  live.sort((a, b) => a.at - b.at || a.id - b.id);
  const refuse = (verdict: Exclude<QuotaOutcome, { ok: true }>): QuotaJudgement => ({
    verdict,
    dead,
  });
  if (limits.concurrency !== undefined && inFlight >= limits.concurrency)
    return refuse({ ok: false, kind: 'concurrency' });
  if (limits.rpm !== undefined && live.length >= limits.rpm) {
    const oldest = live[live.length - limits.rpm]!;
    return refuse({
      ok: false,
      kind: 'rpm',
      retryInMs: Math.max(1, oldest.at + limits.windowMs - now),
    });
  }
  if (limits.tpm !== undefined) {
    let used = 0;
    for (const r of live) used += r.tokens;
    // A call larger than the whole limit runs alone rather than never.
    if (used + estimate > limits.tpm && used > 0) {
      let wait = limits.windowMs;
      for (const r of live) {
        used -= r.tokens;
        if (used + estimate <= limits.tpm) {
          wait = r.at + limits.windowMs - now;
          break;
        }
      }
      return refuse({ ok: false, kind: 'tpm', retryInMs: Math.max(1, wait) });
    }
  }
  return { verdict: { ok: true, body: { tokens: estimate, until: now + req.leaseMs } }, dead };
}

/** The body of a released row: no longer in flight, tokens settled when known. */
export function releasedBody(body: QuotaBody, tokens: number | undefined): QuotaBody {
  return { tokens: tokens !== undefined && tokens > 0 ? tokens : body.tokens, until: 0 };
}
