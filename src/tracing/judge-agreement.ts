/**
 * How far a judge agrees with human labels: accuracy and Cohen's kappa over pass/fail verdicts.
 * Pure arithmetic on a 2x2 confusion table, so it is tested with hand-computed cases.
 *
 * Invariants:
 * - Every figure is computed from integer counts; kappa is `(n·agreed − P) / (n² − P)` with
 *   `P = (judge passes · human passes) + (judge fails · human fails)`, which is Cohen's
 *   `(pₒ − pₑ) / (1 − pₑ)` multiplied through by n², so no float rounding decides a case.
 * - Kappa is never NaN: when chance agreement is 1 (both sides gave a single verdict, the same
 *   one) it is null with the reason in `kappaUndefined`; with no pairs, accuracy is null too.
 */

/** One labelled call: did the judge pass it, did the human? */
export interface VerdictPair {
  readonly judgePassed: boolean;
  readonly humanPassed: boolean;
}

/** The 2x2 table of judge verdicts against human verdicts. */
export interface ConfusionCounts {
  /** Judge pass, human pass. */
  readonly bothPass: number;
  /** Judge pass, human fail: the judge let through what a human rejects. */
  readonly judgeOnlyPass: number;
  /** Judge fail, human pass: the judge rejected what a human accepts. */
  readonly humanOnlyPass: number;
  /** Judge fail, human fail. */
  readonly bothFail: number;
}

/** Agreement figures of one judge. */
export interface AgreementFigures extends ConfusionCounts {
  /** Labelled calls compared. */
  readonly labelled: number;
  /** Calls where judge and human gave the same verdict. */
  readonly agreed: number;
  /** `agreed / labelled`, null when nothing is labelled. */
  readonly accuracy: number | null;
  /** Cohen's kappa in [-1, 1], null when undefined (see `kappaUndefined`). */
  readonly kappa: number | null;
  /** Why `kappa` is null, when it is. */
  readonly kappaUndefined?: string;
}

/** Counts the pairs into a confusion table. */
export function confusion(pairs: readonly VerdictPair[]): ConfusionCounts {
  let bothPass = 0;
  let judgeOnlyPass = 0;
  let humanOnlyPass = 0;
  let bothFail = 0;
  for (const p of pairs) {
    if (p.judgePassed && p.humanPassed) bothPass++;
    else if (p.judgePassed) judgeOnlyPass++;
    else if (p.humanPassed) humanOnlyPass++;
    else bothFail++;
  }
  return { bothPass, judgeOnlyPass, humanOnlyPass, bothFail };
}

/** Accuracy and Cohen's kappa of a confusion table (see the module invariants). */
export function agreementOf(c: ConfusionCounts): AgreementFigures {
  const n = c.bothPass + c.judgeOnlyPass + c.humanOnlyPass + c.bothFail;
  const agreed = c.bothPass + c.bothFail;
  if (n === 0)
    return {
      ...c,
      labelled: 0,
      agreed: 0,
      accuracy: null,
      kappa: null,
      kappaUndefined: 'no labelled calls',
    };
  const judgePass = c.bothPass + c.judgeOnlyPass;
  const humanPass = c.bothPass + c.humanOnlyPass;
  const chance = judgePass * humanPass + (n - judgePass) * (n - humanPass);
  const accuracy = agreed / n;
  if (chance === n * n)
    return {
      ...c,
      labelled: n,
      agreed,
      accuracy,
      kappa: null,
      kappaUndefined: `judge and humans gave only '${judgePass === n ? 'pass' : 'fail'}' verdicts, so agreement by chance is 1`,
    };
  return { ...c, labelled: n, agreed, accuracy, kappa: (n * agreed - chance) / (n * n - chance) };
}
