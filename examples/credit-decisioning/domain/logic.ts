/**
 * The five agents' logic and the oracle, as pure functions.
 *
 * Invariants:
 * - Pure and deterministic: the output depends only on the arguments (no clock, no randomness,
 *   no I/O), so the same application always gets the same decision, in any process.
 * - Every output satisfies its contract in ./contracts.ts (checked by the tests on generated
 *   data); ratios are rounded to 4 decimals and points to integers so results are exact to
 *   compare and stable to store.
 * - The oracle composes exactly these functions: an orchestrated run is right when it reaches
 *   the oracle's decision, whatever the concurrency, faults and crashes along the way.
 */
import type { DeepReadonly } from './baton.js';
import type {
  Application,
  CreditScore,
  Decision,
  FraudAssessment,
  IncomeVerification,
  RiskAssessment,
} from './contracts.js';
import {
  BASE_APR,
  C_MAX_AMOUNT_TO_INCOME,
  DTI_CAP,
  DTI_TIERS,
  FRAUD_DECLINE_THRESHOLD,
  FRAUD_FLAG_THRESHOLD,
  INCOME_VERIFIED_MIN_RATIO,
  LONG_TERM_MONTHS,
  LONG_TERM_SURCHARGE,
  RATINGS,
  type Rating,
  REFERENCE_APR,
  SCORE_MAX,
  SCORE_MIN,
  SCORE_TIERS,
} from './rules.js';

type In<T> = DeepReadonly<T>;

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

interface Component {
  readonly code: string;
  readonly points: number;
  /** Most points the component can earn; the gap to it ranks the factors. */
  readonly max: number;
}

function scoreComponents(b: In<Application['bureau']>): Component[] {
  const history = Math.round(190 * clamp01((b.onTimePaymentRatio - 0.8) / 0.2) ** 1.3);
  const mix = [0, 15, 30][b.openAccounts] ?? (b.openAccounts > 12 ? 45 : 55);
  return [
    { code: 'payment-history', max: 190, points: Math.max(0, history - 15 * b.latePayments) },
    { code: 'defaults', max: 0, points: -70 * Math.min(b.defaults, 3) },
    {
      code: 'utilization',
      max: 165,
      points: Math.round(165 * clamp01(1 - b.creditUtilization / 0.9)),
    },
    {
      code: 'credit-age',
      max: 85,
      points: Math.round(85 * Math.min(1, b.creditAgeMonths / 240) ** 0.7),
    },
    { code: 'inquiries', max: 55, points: Math.max(0, 55 - 14 * b.recentInquiries) },
    { code: 'account-mix', max: 55, points: mix },
  ];
}

/**
 * Credit-score agent: a FICO-like score (300..850) from the bureau data — payment history,
 * defaults, utilization, age of credit, recent inquiries and account mix. Factors list every
 * component's points, the ones that cost the applicant most first.
 */
export function creditScore(app: In<Application>): CreditScore {
  const components = scoreComponents(app.bureau);
  const total = components.reduce((sum, c) => sum + c.points, 0);
  const score = Math.min(SCORE_MAX, Math.max(SCORE_MIN, SCORE_MIN + total));
  const factors = [...components]
    .sort((a, b) => b.max - b.points - (a.max - a.points) || (a.code < b.code ? -1 : 1))
    .map(({ code, points }) => ({ code, points }));
  return { applicantId: app.applicantId, score, factors };
}

/**
 * Income-verification agent: compares the stated income with payroll or bank records. Verified
 * when there are at least 3 months of records showing at least 85% of the stated income.
 */
export function verifyIncome(app: In<Application>): IncomeVerification {
  const { source, monthsOfRecords } = app.payroll;
  const statedIncome = app.statedAnnualIncome;
  const verifiedIncome = source === 'none' ? 0 : app.payroll.verifiedAnnualIncome;
  const ratio = statedIncome > 0 ? round4(verifiedIncome / statedIncome) : 0;
  const verified = source !== 'none' && monthsOfRecords >= 3 && ratio >= INCOME_VERIFIED_MIN_RATIO;
  return { applicantId: app.applicantId, statedIncome, verifiedIncome, ratio, verified, source };
}

/** The fraud rules: a code, a weight, and when it fires. */
const FRAUD_RULES: readonly {
  readonly code: string;
  readonly weight: number;
  readonly fires: (a: In<Application>) => boolean;
}[] = [
  // An adult with a brand-new id number is the classic synthetic-identity signature.
  {
    code: 'recent-identity',
    weight: 0.45,
    fires: (a) => a.identity.idIssuedDaysAgo < 365 && a.age >= 25,
  },
  {
    code: 'application-velocity',
    weight: 0.35,
    fires: (a) => a.identity.applicationsLast30Days >= 4,
  },
  { code: 'new-email', weight: 0.3, fires: (a) => a.identity.emailAgeDays < 30 },
  {
    code: 'income-overstated',
    weight: 0.3,
    fires: (a) =>
      a.payroll.source !== 'none' && a.payroll.verifiedAnnualIncome < 0.5 * a.statedAnnualIncome,
  },
  { code: 'address-mismatch', weight: 0.25, fires: (a) => a.identity.addressMismatch },
  {
    code: 'ip-country-mismatch',
    weight: 0.25,
    fires: (a) => a.identity.ipCountry !== a.residenceCountry,
  },
  { code: 'phone-unverified', weight: 0.15, fires: (a) => !a.identity.phoneVerified },
];

/**
 * Fraud-detection agent: identity and behaviour rules combined as a noisy-or (each rule that
 * fires is independent evidence), flagged at {@link FRAUD_FLAG_THRESHOLD}.
 */
export function detectFraud(app: In<Application>): FraudAssessment {
  const fired = FRAUD_RULES.filter((r) => r.fires(app));
  const clean = fired.reduce((p, r) => p * (1 - r.weight), 1);
  const fraudScore = round4(1 - clean);
  return {
    applicantId: app.applicantId,
    fraudScore,
    flagged: fraudScore >= FRAUD_FLAG_THRESHOLD,
    triggeredRules: fired.map((r) => r.code),
  };
}

/** Monthly payment of an amortized loan. */
export function monthlyPayment(amount: number, apr: number, termMonths: number): number {
  const r = apr / 12;
  return r === 0 ? amount / termMonths : (amount * r) / (1 - (1 + r) ** -termMonths);
}

const worse = (a: Rating, b: Rating): Rating => (RATINGS.indexOf(a) >= RATINGS.indexOf(b) ? a : b);

/**
 * Risk-assessment agent: the rating is the worse of the score tier and the debt-to-income tier.
 * Debt-to-income counts the new loan's payment and uses the verified income (never more than
 * stated), or the stated income when there are no records at all.
 */
export function assessRisk(
  score: In<CreditScore>,
  income: In<IncomeVerification>,
  app: In<Application>,
): RiskAssessment {
  const incomeBasis =
    income.source === 'none'
      ? income.statedIncome
      : Math.min(income.statedIncome, income.verifiedIncome);
  const monthly =
    app.existingMonthlyDebt + monthlyPayment(app.requestedAmount, REFERENCE_APR, app.termMonths);
  const debtToIncome =
    incomeBasis > 0 ? Math.min(DTI_CAP, round4(monthly / (incomeBasis / 12))) : DTI_CAP;
  const byScore = SCORE_TIERS.find((t) => score.score >= t.minScore)?.rating ?? 'E';
  const byDti = DTI_TIERS.find((t) => debtToIncome <= t.maxDti)?.rating ?? 'E';
  const rating = worse(byScore, byDti);
  return {
    applicantId: app.applicantId,
    rating,
    debtToIncome,
    creditScore: score.score,
    incomeBasis,
    incomeVerified: income.verified,
    rationale: [
      `credit score ${score.score} rates ${byScore}`,
      `debt-to-income ${debtToIncome} rates ${byDti}`,
      `income basis ${income.source === 'none' ? 'stated (no records)' : 'verified'}`,
    ],
  };
}

const reject = (
  applicantId: string,
  outcome: 'refer' | 'decline',
  reasons: string[],
): Decision => ({
  applicantId,
  outcome,
  reasons,
  approvedAmount: 0,
  rate: null,
});

/**
 * Final-approval agent. In order: strong fraud evidence or rating E declines; a fraud flag,
 * rating D (borderline), an unverified income, or a C-rated amount too large for the income
 * goes to a human (refer); everything else is approved at the rating's rate.
 */
export function decide(
  risk: In<RiskAssessment>,
  fraud: In<FraudAssessment>,
  app: In<Application>,
): Decision {
  const id = app.applicantId;
  const fraudReasons = fraud.triggeredRules.map((r) => `fraud-rule:${r}`);
  if (fraud.flagged && fraud.fraudScore >= FRAUD_DECLINE_THRESHOLD) {
    return reject(id, 'decline', ['fraud-score-above-decline-threshold', ...fraudReasons]);
  }
  if (risk.rating === 'E') return reject(id, 'decline', ['risk-rating-e', ...risk.rationale]);
  if (fraud.flagged) return reject(id, 'refer', ['fraud-flag-needs-review', ...fraudReasons]);
  if (risk.rating === 'D')
    return reject(id, 'refer', ['risk-rating-d-borderline', ...risk.rationale]);
  if (!risk.incomeVerified) return reject(id, 'refer', ['income-not-verified']);
  if (risk.rating === 'C' && app.requestedAmount > C_MAX_AMOUNT_TO_INCOME * risk.incomeBasis) {
    return reject(id, 'refer', ['amount-above-rating-c-limit']);
  }
  const surcharge = app.termMonths > LONG_TERM_MONTHS ? LONG_TERM_SURCHARGE : 0;
  return {
    applicantId: id,
    outcome: 'approve',
    reasons: [`risk-rating-${risk.rating.toLowerCase()}`, 'income-verified', 'fraud-clear'],
    approvedAmount: app.requestedAmount,
    rate: Math.round((BASE_APR[risk.rating] + surcharge) * 100) / 100,
  };
}

/** Every agent's output for one application, computed sequentially by the pure logic. */
export interface Assessment {
  readonly score: CreditScore;
  readonly income: IncomeVerification;
  readonly fraud: FraudAssessment;
  readonly risk: RiskAssessment;
  readonly decision: Decision;
}

/** Runs the five agents' logic in dependency order, with no concurrency and no shared state. */
export function assess(app: In<Application>): Assessment {
  const score = creditScore(app);
  const income = verifyIncome(app);
  const fraud = detectFraud(app);
  const risk = assessRisk(score, income, app);
  return { score, income, fraud, risk, decision: decide(risk, fraud, app) };
}

/** The correct decision for any application: what every orchestrated run must reach. */
export function oracle(app: In<Application>): Decision {
  return assess(app).decision;
}
