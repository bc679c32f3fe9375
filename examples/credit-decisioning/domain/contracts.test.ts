import { isContractViolationError } from 'baton-runtime';
import { describe, expect, it } from 'vitest';
import {
  Application,
  CREDIT_CONTRACTS,
  CreditScore,
  Decision,
  FraudAssessment,
  IncomeVerification,
  RiskAssessment,
} from './contracts.js';
import { generateApplications } from './generate.js';
import { assess } from './logic.js';
import { sampleApplication } from './sample.js';

const paths = (r: { ok: boolean; issues?: readonly { path: readonly (string | number)[] }[] }) =>
  (r.issues ?? []).map((i) => i.path.join('.')).sort();

describe('credit contracts', () => {
  it('have the ids of the design', () => {
    expect(CREDIT_CONTRACTS.map((c) => c.id)).toEqual([
      'credit.application@1',
      'credit.score@1',
      'income.verification@1',
      'fraud.assessment@1',
      'risk.assessment@1',
      'credit.decision@1',
    ]);
  });

  it('accept every agent output the logic produces for generated applications', () => {
    for (const app of generateApplications(500, 77)) {
      const a = assess(app);
      for (const [c, value] of [
        [CreditScore, a.score],
        [IncomeVerification, a.income],
        [FraudAssessment, a.fraud],
        [RiskAssessment, a.risk],
        [Decision, a.decision],
      ] as const) {
        const r = c.validate(value);
        expect(r.ok, `${c.id} ${JSON.stringify(r)}`).toBe(true);
      }
    }
  });

  it('reject a malformed application with the path of every bad field', () => {
    const bad = {
      ...sampleApplication({ termMonths: 30, bureau: { creditUtilization: 2 } }),
      name: '',
      identity: { ...sampleApplication().identity, ipCountry: 'usa' },
    };
    expect(paths(Application.validate(bad))).toEqual([
      'bureau.creditUtilization',
      'identity.ipCountry',
      'name',
      'termMonths',
    ]);
    expect(paths(Application.validate({ ...sampleApplication(), bureau: undefined }))).toEqual([
      'bureau',
    ]);
  });

  it('reject an application that contradicts itself', () => {
    const bad = sampleApplication({
      age: 22,
      employmentYears: 9,
      bureau: { creditAgeMonths: 120 },
      payroll: { source: 'none', verifiedAnnualIncome: 50_000 },
    });
    expect(paths(Application.validate(bad))).toEqual([
      'bureau.creditAgeMonths',
      'employmentYears',
      'payroll.verifiedAnnualIncome',
    ]);
  });

  it('throw a ContractViolationError naming the contract on parse', () => {
    let caught: unknown;
    try {
      Application.parse({ applicantId: 'x' });
    } catch (e) {
      caught = e;
    }
    expect(isContractViolationError(caught)).toBe(true);
    if (!isContractViolationError(caught)) return;
    expect(caught.contractId).toBe('credit.application@1');
    expect(caught.issues.map((i) => i.path.join('.'))).toContain('bureau');
  });

  it('enforce the semantic rules of each output', () => {
    const a = assess(sampleApplication());
    expect(paths(CreditScore.validate({ ...a.score, score: 900 }))).toEqual(['score']);
    expect(paths(IncomeVerification.validate({ ...a.income, ratio: 0.5 }))).toEqual(['verified']);
    expect(paths(FraudAssessment.validate({ ...a.fraud, flagged: true }))).toEqual(['flagged']);
    expect(paths(RiskAssessment.validate({ ...a.risk, rating: 'F' }))).toEqual(['rating']);
    expect(paths(Decision.validate({ ...a.decision, approvedAmount: 0, rate: null }))).toEqual([
      'approvedAmount',
      'rate',
    ]);
    expect(
      paths(Decision.validate({ ...a.decision, outcome: 'decline', reasons: ['risk-rating-e'] })),
    ).toEqual(['approvedAmount', 'rate']);
    expect(paths(Decision.validate({ ...a.decision, reasons: [] }))).toEqual(['reasons']);
  });
});
