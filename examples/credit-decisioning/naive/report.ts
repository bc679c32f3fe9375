/**
 * The naive run's defaults and printed report, shared by `npm run naive` and by `npm start`
 * (which prints the naive wrong-decision rate beside Baton's).
 */
import type { NaiveResult } from './run.js';

/** Defaults shared with `npm start`, so both run on the same applications. */
export const NAIVE_DEFAULTS = Object.freeze({
  applications: 2000,
  seed: 1,
  concurrency: 16,
  cacheTtlMs: 1000,
});

const terms = (outcome: string, rate: number | null): string =>
  rate === null ? outcome : `${outcome} at ${rate}%`;

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Formats the report printed by `npm run naive`. */
export function formatNaiveReport(r: NaiveResult, cacheTtlMs: number): string {
  const cacheLine =
    cacheTtlMs > 0
      ? `read-through cache, TTL ${cacheTtlMs} ms, never invalidated by writes`
      : 'no cache (every read goes to the database)';
  const lines = [
    'Naive architecture: one shared mutable customer row per applicant (SQLite),',
    `${cacheLine}, five agents running concurrently.`,
    '',
    `applications         ${r.total}`,
    `wrong decisions      ${r.wrong} (${percent(r.wrongRate)}): outcome, amount or rate differ from the oracle's`,
    `  wrong outcome      ${r.wrongOutcomes} (approve / refer / decline differs)`,
    `wrong risk ratings   ${r.wrongRatings} (${percent(r.total ? r.wrongRatings / r.total : 0)})`,
    `stale cache reads    ${r.staleCacheReads} (risk got a score the database had already replaced)`,
    `cache hits / misses  ${r.cache.hits} / ${r.cache.misses}; ${r.updates} UPDATEs; ${Math.round(r.durationMs)} ms`,
  ];
  if (r.examples.length > 0) lines.push('', 'first wrong decisions:');
  for (const e of r.examples) {
    const how = e.servedByStaleCache ? 'served by the cache' : 'read before the refined write';
    lines.push(
      `  ${e.applicantId}: risk rated on score ${e.staleScore} (${how}), stored score ${e.freshScore}` +
        ` -> rating ${e.ratingUsed} instead of ${e.correctRating}, ${terms(e.outcome, e.rate)} (oracle: ${terms(e.oracleOutcome, e.oracleRate)})`,
    );
  }
  lines.push(
    '',
    'Baton runs the same agents on immutable, versioned state snapshots: each agent reads the',
    'exact version its inputs were committed at, so a stale read cannot happen (`npm start`).',
  );
  return lines.join('\n');
}
