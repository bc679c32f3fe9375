import { describe, expect, it } from 'vitest';
import { generateApplications } from './generate.js';
import {
  assess,
  assessRisk,
  creditScore,
  decide,
  detectFraud,
  oracle,
  verifyIncome,
} from './logic.js';

const APPS = generateApplications(2_000, 20_240_601);

describe('oracle', () => {
  it('is the composition of the five agents, computed in dependency order', () => {
    for (const app of APPS.slice(0, 200)) {
      const risk = assessRisk(creditScore(app), verifyIncome(app), app);
      expect(oracle(app)).toEqual(decide(risk, detectFraud(app), app));
    }
  });

  it('is deterministic: the same application always gets the same decision', () => {
    const again = generateApplications(2_000, 20_240_601);
    expect(APPS.map((a) => assess(a))).toEqual(again.map((a) => assess(a)));
  });

  it('does not modify the application it decides on', () => {
    const app = structuredClone(APPS[0]!);
    oracle(Object.freeze(app));
    expect(app).toEqual(APPS[0]);
  });

  it('gives a realistic outcome mix on 2,000 generated applications', () => {
    const count = { approve: 0, refer: 0, decline: 0 };
    let flagged = 0;
    for (const app of APPS) {
      const a = assess(app);
      count[a.decision.outcome] += 1;
      if (a.fraud.flagged) flagged += 1;
    }
    const share = (n: number) => n / APPS.length;
    expect(share(count.approve)).toBeGreaterThanOrEqual(0.55);
    expect(share(count.approve)).toBeLessThanOrEqual(0.65);
    for (const n of [count.refer, count.decline]) {
      expect(share(n)).toBeGreaterThanOrEqual(0.15);
      expect(share(n)).toBeLessThanOrEqual(0.25);
    }
    expect(share(flagged)).toBeGreaterThanOrEqual(0.01);
    expect(share(flagged)).toBeLessThanOrEqual(0.06);
  });

  it('uses every rating and every decision rule on generated data', () => {
    const ratings = new Set(APPS.map((a) => assess(a).risk.rating));
    const firstReasons = new Set(APPS.map((a) => oracle(a).reasons[0]));
    expect([...ratings].sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
    for (const reason of [
      'fraud-score-above-decline-threshold',
      'risk-rating-e',
      'fraud-flag-needs-review',
      'risk-rating-d-borderline',
      'income-not-verified',
      'amount-above-rating-c-limit',
      'risk-rating-a',
      'risk-rating-b',
      'risk-rating-c',
    ]) {
      expect(firstReasons.has(reason), reason).toBe(true);
    }
  });
});
