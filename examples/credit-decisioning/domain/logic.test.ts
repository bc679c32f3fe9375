import { describe, expect, it } from 'vitest';
import type { CreditScore } from './contracts.js';
import {
  assessRisk,
  creditScore,
  decide,
  detectFraud,
  monthlyPayment,
  verifyIncome,
} from './logic.js';
import { type ApplicationPatch, sampleApplication } from './sample.js';

const scoreOf = (score: number): CreditScore => ({
  applicantId: 'app-sample',
  score,
  factors: [{ code: 'test', points: 0 }],
});

/** The full pipeline on a sample variant, returning every intermediate result. */
function run(patch: ApplicationPatch) {
  const app = sampleApplication(patch);
  const score = creditScore(app);
  const income = verifyIncome(app);
  const fraud = detectFraud(app);
  const risk = assessRisk(score, income, app);
  return { app, score, income, fraud, risk, decision: decide(risk, fraud, app) };
}

describe('creditScore', () => {
  it('scores the prime sample from its components and lists the biggest gaps first', () => {
    const s = creditScore(sampleApplication());
    expect(s.score).toBe(300 + s.factors.reduce((sum, f) => sum + f.points, 0));
    expect(s.score).toBeGreaterThanOrEqual(800);
    expect(s.factors[0]?.code).toBe('utilization');
    expect(s.factors.map((f) => f.code).sort()).toEqual(
      [
        'account-mix',
        'credit-age',
        'defaults',
        'inquiries',
        'payment-history',
        'utilization',
      ].sort(),
    );
  });

  it('loses points for each late payment, default, inquiry and for higher utilization', () => {
    const base = creditScore(sampleApplication()).score;
    const worse: ApplicationPatch[] = [
      { bureau: { latePayments: 2 } },
      { bureau: { defaults: 1 } },
      { bureau: { recentInquiries: 3 } },
      { bureau: { creditUtilization: 0.6 } },
      { bureau: { onTimePaymentRatio: 0.9 } },
      { bureau: { creditAgeMonths: 24 } },
      { bureau: { openAccounts: 1 } },
    ];
    for (const patch of worse) {
      expect(creditScore(sampleApplication(patch)).score, JSON.stringify(patch)).toBeLessThan(base);
    }
  });

  it('stays within 300..850 for the worst and best possible files', () => {
    const worst = creditScore(
      sampleApplication({
        bureau: {
          onTimePaymentRatio: 0.6,
          latePayments: 9,
          defaults: 5,
          creditUtilization: 1.5,
          creditAgeMonths: 0,
          recentInquiries: 9,
          openAccounts: 0,
        },
      }),
    );
    const best = creditScore(
      sampleApplication({ bureau: { creditUtilization: 0, creditAgeMonths: 300 } }),
    );
    expect(worst.score).toBe(300);
    expect(best.score).toBeLessThanOrEqual(850);
    expect(best.score).toBeGreaterThan(840);
  });
});

describe('verifyIncome', () => {
  it('verifies at exactly the 0.85 ratio and not just below it', () => {
    const at = verifyIncome(sampleApplication({ payroll: { verifiedAnnualIncome: 76_500 } }));
    const below = verifyIncome(sampleApplication({ payroll: { verifiedAnnualIncome: 76_400 } }));
    expect(at).toMatchObject({ ratio: 0.85, verified: true });
    expect(below.verified).toBe(false);
  });

  it('does not verify without records or with fewer than 3 months of them', () => {
    const none = verifyIncome(
      sampleApplication({
        payroll: { source: 'none', verifiedAnnualIncome: 0, monthsOfRecords: 0 },
      }),
    );
    const short = verifyIncome(sampleApplication({ payroll: { monthsOfRecords: 2 } }));
    expect(none).toMatchObject({ verifiedIncome: 0, ratio: 0, verified: false, source: 'none' });
    expect(short.verified).toBe(false);
  });
});

describe('detectFraud', () => {
  const rules: [string, ApplicationPatch][] = [
    ['recent-identity', { identity: { idIssuedDaysAgo: 100 } }],
    ['application-velocity', { identity: { applicationsLast30Days: 4 } }],
    ['new-email', { identity: { emailAgeDays: 29 } }],
    ['income-overstated', { payroll: { verifiedAnnualIncome: 40_000 } }],
    ['address-mismatch', { identity: { addressMismatch: true } }],
    ['ip-country-mismatch', { identity: { ipCountry: 'RO' } }],
    ['phone-unverified', { identity: { phoneVerified: false } }],
  ];

  it.each(rules)('fires %s alone, below the flag threshold', (code, patch) => {
    const f = detectFraud(sampleApplication(patch));
    expect(f.triggeredRules).toEqual([code]);
    expect(f.fraudScore).toBeGreaterThan(0);
    expect(f.flagged).toBe(false);
  });

  it('fires nothing on a clean application', () => {
    expect(detectFraud(sampleApplication())).toMatchObject({ fraudScore: 0, triggeredRules: [] });
  });

  it('does not call a young adult with a new id a synthetic identity', () => {
    const f = detectFraud(sampleApplication({ age: 19, identity: { idIssuedDaysAgo: 100 } }));
    expect(f.triggeredRules).toEqual([]);
  });

  it('combines rules as a noisy-or and flags at 0.6', () => {
    const f = detectFraud(
      sampleApplication({ identity: { idIssuedDaysAgo: 100, applicationsLast30Days: 5 } }),
    );
    expect(f.fraudScore).toBe(Math.round((1 - 0.55 * 0.65) * 10_000) / 10_000);
    expect(f.flagged).toBe(true);
  });
});

describe('assessRisk', () => {
  const app = sampleApplication();
  const income = verifyIncome(app);

  it.each([
    [740, 'A'],
    [739, 'B'],
    [680, 'B'],
    [679, 'C'],
    [620, 'C'],
    [619, 'D'],
    [590, 'D'],
    [589, 'E'],
  ])('rates a score of %i as %s when debt-to-income is low', (score, rating) => {
    expect(assessRisk(scoreOf(score), income, app).rating).toBe(rating);
  });

  it('computes debt-to-income with the new payment and takes the worse of the two tiers', () => {
    const heavy = sampleApplication({ existingMonthlyDebt: 2_300 });
    const risk = assessRisk(scoreOf(800), verifyIncome(heavy), heavy);
    const expected = (2_300 + monthlyPayment(20_000, 0.1, 36)) / 7_500;
    expect(risk.debtToIncome).toBeCloseTo(expected, 4);
    expect(risk.rating).toBe('C');
    expect(assessRisk(scoreOf(600), income, app).rating).toBe('D');
  });

  it('uses the verified income when lower, the stated one when records show more or none exist', () => {
    const lower = sampleApplication({ payroll: { verifiedAnnualIncome: 60_000 } });
    const higher = sampleApplication({ payroll: { verifiedAnnualIncome: 120_000 } });
    const none = sampleApplication({
      payroll: { source: 'none', verifiedAnnualIncome: 0, monthsOfRecords: 0 },
    });
    for (const [a, basis] of [
      [lower, 60_000],
      [higher, 90_000],
      [none, 90_000],
    ] as const) {
      expect(assessRisk(scoreOf(800), verifyIncome(a), a).incomeBasis).toBe(basis);
    }
  });

  it('rates E when there is no income at all', () => {
    const broke = sampleApplication({
      statedAnnualIncome: 0,
      payroll: { source: 'none', verifiedAnnualIncome: 0, monthsOfRecords: 0 },
    });
    expect(assessRisk(scoreOf(800), verifyIncome(broke), broke)).toMatchObject({
      rating: 'E',
      debtToIncome: 9.99,
    });
  });
});

describe('decide', () => {
  it('approves a prime applicant at the A rate, with a surcharge on long terms', () => {
    expect(run({}).decision).toMatchObject({
      outcome: 'approve',
      approvedAmount: 20_000,
      rate: 6.9,
    });
    expect(run({ termMonths: 72 }).decision.rate).toBe(7.65);
  });

  it('declines strong fraud evidence even for a prime file', () => {
    const r = run({
      identity: {
        idIssuedDaysAgo: 100,
        applicationsLast30Days: 5,
        emailAgeDays: 10,
        addressMismatch: true,
      },
    });
    expect(r.fraud.fraudScore).toBeGreaterThanOrEqual(0.8);
    expect(r.decision.outcome).toBe('decline');
    expect(r.decision.reasons[0]).toBe('fraud-score-above-decline-threshold');
  });

  it('declines rating E, whether from the score or from debt-to-income', () => {
    const byScore = run({ bureau: { defaults: 3, creditUtilization: 0.9 } });
    const byDti = run({ existingMonthlyDebt: 4_000 });
    for (const r of [byScore, byDti]) {
      expect(r.risk.rating).toBe('E');
      expect(r.decision).toMatchObject({ outcome: 'decline', approvedAmount: 0, rate: null });
      expect(r.decision.reasons[0]).toBe('risk-rating-e');
    }
  });

  it('refers a flagged application below the decline threshold', () => {
    const r = run({ identity: { idIssuedDaysAgo: 100, applicationsLast30Days: 5 } });
    expect(r.decision.outcome).toBe('refer');
    expect(r.decision.reasons).toEqual([
      'fraud-flag-needs-review',
      'fraud-rule:recent-identity',
      'fraud-rule:application-velocity',
    ]);
  });

  it('refers a borderline (D) rating for human review', () => {
    const r = run({ existingMonthlyDebt: 2_800 });
    expect(r.risk.rating).toBe('D');
    expect(r.decision.outcome).toBe('refer');
    expect(r.decision.reasons[0]).toBe('risk-rating-d-borderline');
  });

  it('refers an unverified income', () => {
    const r = run({ payroll: { verifiedAnnualIncome: 70_000 } });
    expect(r.income.verified).toBe(false);
    expect(r.decision).toMatchObject({ outcome: 'refer', reasons: ['income-not-verified'] });
  });

  it('refers a C-rated amount above 40% of income, and approves a smaller one at the C rate', () => {
    const big = run({ requestedAmount: 40_000, existingMonthlyDebt: 1_700 });
    expect(big.risk.rating).toBe('C');
    expect(big.decision).toMatchObject({
      outcome: 'refer',
      reasons: ['amount-above-rating-c-limit'],
    });
    const small = run({ requestedAmount: 30_000, existingMonthlyDebt: 2_000 });
    expect(small.risk.rating).toBe('C');
    expect(small.decision).toMatchObject({ outcome: 'approve', rate: 14.9 });
  });
});
