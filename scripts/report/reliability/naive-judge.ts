/**
 * Judges a naive run from its database file alone: decisions against the oracle, ratings
 * against the correct ones, applications left undecided or lost in the crash, and side effects
 * left half-finished (a credit line booked for a customer who was never told, or an approval
 * with no line).
 */
import Database from 'better-sqlite3';
import type {
  Application,
  Decision,
  RiskAssessment,
} from '../../../examples/credit-decisioning/domain/contracts.js';
import { assess } from '../../../examples/credit-decisioning/domain/logic.js';

/** What a naive run left behind, judged. */
export interface NaiveJudgement {
  readonly applications: number;
  readonly decided: number;
  /** Decisions whose outcome, amount or rate differ from the oracle's. */
  readonly wrongDecisions: number;
  /** Stored ratings that differ from the correct one. */
  readonly wrongRatings: number;
  /** Started by the process that crashed and never decided. */
  readonly lostInCrash: number;
  /** Started, not crashed, and still without a decision (an agent gave up). */
  readonly undecided: number;
  /** Booked lines never delivered, plus approvals without a booked line. */
  readonly halfFinished: number;
}

interface Row {
  applicant_id: string;
  decision: string | null;
  risk: string | null;
}

/** Reads the file and judges every application. */
export function judgeNaive(
  dbPath: string,
  apps: readonly Application[],
  crashed: ReadonlySet<string>,
): NaiveJudgement {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = new Map(
      (db.prepare('SELECT applicant_id, decision, risk FROM customers').all() as Row[]).map((r) => [
        r.applicant_id,
        r,
      ]),
    );
    const booked = new Set(
      (
        db.prepare("SELECT applicant_id FROM credit_lines WHERE status = 'booked'").all() as {
          applicant_id: string;
        }[]
      ).map((r) => r.applicant_id),
    );
    const told = new Set(
      (
        db.prepare('SELECT applicant_id FROM notifications').all() as { applicant_id: string }[]
      ).map((r) => r.applicant_id),
    );
    let decided = 0;
    let wrongDecisions = 0;
    let wrongRatings = 0;
    let lostInCrash = 0;
    let undecided = 0;
    let halfFinished = 0;
    for (const app of apps) {
      const id = app.applicantId;
      const row = rows.get(id);
      const truth = assess(app);
      const risk = row?.risk ? (JSON.parse(row.risk) as RiskAssessment) : null;
      if (risk !== null && risk.rating !== truth.risk.rating) wrongRatings++;
      if (booked.has(id) && !told.has(id)) halfFinished++;
      if (!row?.decision) {
        if (crashed.has(id)) lostInCrash++;
        else undecided++;
        continue;
      }
      const d = JSON.parse(row.decision) as Decision;
      decided++;
      if (d.outcome === 'approve' && told.has(id) && !booked.has(id)) halfFinished++;
      if (
        d.outcome !== truth.decision.outcome ||
        d.approvedAmount !== truth.decision.approvedAmount ||
        d.rate !== truth.decision.rate
      )
        wrongDecisions++;
    }
    return {
      applications: apps.length,
      decided,
      wrongDecisions,
      wrongRatings,
      lostInCrash,
      undecided,
      halfFinished,
    };
  } finally {
    db.close();
  }
}
