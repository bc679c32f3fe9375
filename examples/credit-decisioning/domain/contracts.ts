/**
 * Contracts of the credit-decisioning system: the application and one output per agent.
 *
 * Invariants:
 * - Every number crossing a handoff is finite (Zod 4 rejects Infinity and NaN); money is in the
 *   applicant's currency units.
 * - Semantic rules live in the schema as refinements (a verified income has a ratio above the
 *   policy minimum, an approval has an amount and a rate, a decline has neither), so a wrong
 *   handoff is rejected at the boundary, with the path of every offending field.
 * - Each constant is both a contract (value) and its data type (type), under the same name.
 */
import { z } from 'zod';
import { type ContractType, contract } from './baton.js';
import {
  FRAUD_FLAG_THRESHOLD,
  INCOME_VERIFIED_MIN_RATIO,
  RATINGS,
  SCORE_MAX,
  SCORE_MIN,
  TERMS_MONTHS,
} from './rules.js';

const money = () => z.number().min(0);
const count = () => z.number().int().min(0);
const ratio = () => z.number().min(0).max(1);
const country = () => z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code');

const Bureau = z.object({
  /** Share of payments made on time over the reported history. */
  onTimePaymentRatio: ratio(),
  /** Payments 30+ days late in the last 24 months. */
  latePayments: count(),
  /** Accounts charged off or in collection. */
  defaults: count(),
  /** Revolving balances over limits; above 1 means over the limit. */
  creditUtilization: z.number().min(0).max(1.5),
  /** Age of the oldest account. */
  creditAgeMonths: count(),
  /** Hard inquiries in the last 6 months. */
  recentInquiries: count(),
  openAccounts: count(),
});

const Payroll = z.object({
  /** Where the verified income comes from; `none` when no records could be obtained. */
  source: z.enum(['payroll', 'bank-statements', 'none']),
  /** Annual income shown by payroll or bank records (0 when there are none). */
  verifiedAnnualIncome: money(),
  monthsOfRecords: z.number().int().min(0).max(120),
});

const Identity = z.object({
  /** The address given differs from the bureau's address on file. */
  addressMismatch: z.boolean(),
  emailAgeDays: count(),
  /** Credit applications by this identity in the last 30 days, this one included. */
  applicationsLast30Days: z.number().int().min(1),
  /** Country of the IP address the application came from. */
  ipCountry: country(),
  /** Days since the national id number was issued (synthetic identities are recent). */
  idIssuedDaysAgo: count(),
  phoneVerified: z.boolean(),
});

/** A loan application with the bureau, payroll and identity data gathered at intake. */
export const Application = contract(
  'credit.application@1',
  z
    .object({
      applicantId: z.string().min(1),
      name: z.string().min(1),
      age: z.number().int().min(18).max(100),
      residenceCountry: country(),
      statedAnnualIncome: money(),
      employmentYears: z.number().min(0).max(60),
      requestedAmount: z.number().positive().max(1_000_000),
      termMonths: z
        .number()
        .int()
        .refine((t) => (TERMS_MONTHS as readonly number[]).includes(t), {
          error: `term must be one of ${TERMS_MONTHS.join(', ')} months`,
        }),
      existingMonthlyDebt: money(),
      bureau: Bureau,
      payroll: Payroll,
      identity: Identity,
    })
    .superRefine((a, ctx) => {
      if (a.bureau.creditAgeMonths > (a.age - 14) * 12) {
        ctx.addIssue({
          code: 'custom',
          message: 'credit history is longer than the applicant has been able to borrow',
          path: ['bureau', 'creditAgeMonths'],
        });
      }
      if (a.employmentYears > a.age - 14) {
        ctx.addIssue({
          code: 'custom',
          message: 'employment is longer than the applicant has been of working age',
          path: ['employmentYears'],
        });
      }
      if (a.payroll.source === 'none' && a.payroll.verifiedAnnualIncome !== 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'an income without records cannot be verified: it must be 0',
          path: ['payroll', 'verifiedAnnualIncome'],
        });
      }
    }),
);
/** A loan application. */
export type Application = ContractType<typeof Application>;

/** Output of the credit-score agent. */
export const CreditScore = contract(
  'credit.score@1',
  z.object({
    applicantId: z.string().min(1),
    score: z.number().int().min(SCORE_MIN).max(SCORE_MAX),
    /** Points earned per scoring component (negative for penalties), biggest gaps first. */
    factors: z.array(z.object({ code: z.string().min(1), points: z.number().int() })).min(1),
  }),
);
/** A credit score with its factors. */
export type CreditScore = ContractType<typeof CreditScore>;

/** Output of the income-verification agent. */
export const IncomeVerification = contract(
  'income.verification@1',
  z
    .object({
      applicantId: z.string().min(1),
      statedIncome: money(),
      verifiedIncome: money(),
      /** verifiedIncome / statedIncome (0 when nothing was stated). */
      ratio: z.number().min(0),
      verified: z.boolean(),
      source: Payroll.shape.source,
    })
    .refine((v) => !v.verified || (v.ratio >= INCOME_VERIFIED_MIN_RATIO && v.source !== 'none'), {
      error: `a verified income needs records showing at least ${INCOME_VERIFIED_MIN_RATIO} of it`,
      path: ['verified'],
    }),
);
/** An income verification. */
export type IncomeVerification = ContractType<typeof IncomeVerification>;

/** Output of the fraud-detection agent. */
export const FraudAssessment = contract(
  'fraud.assessment@1',
  z
    .object({
      applicantId: z.string().min(1),
      fraudScore: ratio(),
      flagged: z.boolean(),
      /** Codes of the rules that fired. */
      triggeredRules: z.array(z.string().min(1)),
    })
    .refine((f) => f.flagged === f.fraudScore >= FRAUD_FLAG_THRESHOLD, {
      error: `flagged must be true exactly when fraudScore >= ${FRAUD_FLAG_THRESHOLD}`,
      path: ['flagged'],
    }),
);
/** A fraud assessment. */
export type FraudAssessment = ContractType<typeof FraudAssessment>;

/** Output of the risk-assessment agent. */
export const RiskAssessment = contract(
  'risk.assessment@1',
  z.object({
    applicantId: z.string().min(1),
    rating: z.enum(RATINGS),
    debtToIncome: z.number().min(0),
    /** The credit score the rating was computed from (lineage: which score was used). */
    creditScore: z.number().int().min(SCORE_MIN).max(SCORE_MAX),
    /** Annual income used for debt-to-income: verified when records exist, else stated. */
    incomeBasis: money(),
    incomeVerified: z.boolean(),
    rationale: z.array(z.string().min(1)).min(1),
  }),
);
/** A risk assessment. */
export type RiskAssessment = ContractType<typeof RiskAssessment>;

/** Output of the final-approval agent. */
export const Decision = contract(
  'credit.decision@1',
  z
    .object({
      applicantId: z.string().min(1),
      outcome: z.enum(['approve', 'refer', 'decline']),
      reasons: z.array(z.string().min(1)).min(1),
      approvedAmount: money(),
      /** APR in percent; null unless approved. */
      rate: z.number().positive().max(36).nullable(),
    })
    .superRefine((d, ctx) => {
      const approved = d.outcome === 'approve';
      if (approved !== d.approvedAmount > 0) {
        ctx.addIssue({
          code: 'custom',
          message: approved ? 'an approval needs an amount' : 'only an approval has an amount',
          path: ['approvedAmount'],
        });
      }
      if (approved !== (d.rate !== null)) {
        ctx.addIssue({
          code: 'custom',
          message: approved ? 'an approval needs a rate' : 'only an approval has a rate',
          path: ['rate'],
        });
      }
    }),
);
/** A credit decision. */
export type Decision = ContractType<typeof Decision>;

/** Every contract of the domain, for registering in a catalog. */
export const CREDIT_CONTRACTS = [
  Application,
  CreditScore,
  IncomeVerification,
  FraudAssessment,
  RiskAssessment,
  Decision,
] as const;
