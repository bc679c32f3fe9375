/**
 * Checks the lender's tables against the runs: every booked credit line belongs to a completed
 * approval with the same terms, every completed approval has exactly one booked line, and no
 * other run (compensated, failed, waiting) keeps a booked line.
 */
import type { RunRecord } from 'baton-runtime';
import type { FinalDecision } from './contracts.js';
import type { Ledger } from './ledger.js';

/** The result of {@link checkLedger}. */
export interface LedgerCheck {
  readonly booked: number;
  readonly voided: number;
  readonly notifications: number;
  /** Every inconsistency, in words (empty when consistent). */
  readonly problems: readonly string[];
}

/** Compares the ledger with the runs. */
export function checkLedger(ledger: Ledger, runs: readonly RunRecord[]): LedgerCheck {
  const byRun = new Map(runs.map((r) => [r.runId, r]));
  const lines = ledger.lines();
  const problems: string[] = [];
  const bookedPerRun = new Map<string, number>();
  for (const line of lines) {
    if (line.status !== 'booked') continue;
    bookedPerRun.set(line.runId, (bookedPerRun.get(line.runId) ?? 0) + 1);
    const run = byRun.get(line.runId);
    const out = run?.output as FinalDecision | null | undefined;
    if (run?.status !== 'completed' || out?.outcome !== 'approve') {
      problems.push(`credit line ${line.key} is booked but its run is ${run?.status ?? 'unknown'}`);
    } else if (out.approvedAmount !== line.amount || out.rate !== line.rate) {
      problems.push(`credit line ${line.key} terms differ from the decision`);
    }
  }
  for (const run of runs) {
    const out = run.output as FinalDecision | null;
    if (
      run.status === 'completed' &&
      out?.outcome === 'approve' &&
      bookedPerRun.get(run.runId) !== 1
    ) {
      problems.push(
        `approved run ${run.runId} has ${bookedPerRun.get(run.runId) ?? 0} booked lines`,
      );
    }
  }
  return {
    booked: lines.filter((l) => l.status === 'booked').length,
    voided: lines.filter((l) => l.status === 'void').length,
    notifications: ledger.notifications().length,
    problems,
  };
}
