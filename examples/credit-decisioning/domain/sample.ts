/**
 * A hand-written prime application (rated A, approved at the best rate) and a way to derive
 * variants of it: the fixture for tests that must hit one rule at a time, and for demos.
 */
import type { Application } from './contracts.js';

/** Fields to change on the sample; nested groups are merged, not replaced. */
export interface ApplicationPatch
  extends Partial<Omit<Application, 'bureau' | 'payroll' | 'identity'>> {
  readonly bureau?: Partial<Application['bureau']>;
  readonly payroll?: Partial<Application['payroll']>;
  readonly identity?: Partial<Application['identity']>;
}

/** A prime applicant: clean file, verified income, low debt, no fraud signal. */
const PRIME: Application = {
  applicantId: 'app-sample',
  name: 'Ada Okafor',
  age: 40,
  residenceCountry: 'US',
  statedAnnualIncome: 90_000,
  employmentYears: 8,
  requestedAmount: 20_000,
  termMonths: 36,
  existingMonthlyDebt: 800,
  bureau: {
    onTimePaymentRatio: 1,
    latePayments: 0,
    defaults: 0,
    creditUtilization: 0.1,
    creditAgeMonths: 200,
    recentInquiries: 0,
    openAccounts: 6,
  },
  payroll: { source: 'payroll', verifiedAnnualIncome: 90_000, monthsOfRecords: 24 },
  identity: {
    addressMismatch: false,
    emailAgeDays: 2_000,
    applicationsLast30Days: 1,
    ipCountry: 'US',
    idIssuedDaysAgo: 5_000,
    phoneVerified: true,
  },
};

/** The prime sample application, with `patch` applied (a fresh object every call). */
export function sampleApplication(patch: ApplicationPatch = {}): Application {
  const { bureau, payroll, identity, ...top } = patch;
  return {
    ...PRIME,
    ...top,
    bureau: { ...PRIME.bureau, ...bureau },
    payroll: { ...PRIME.payroll, ...payroll },
    identity: { ...PRIME.identity, ...identity },
  };
}
