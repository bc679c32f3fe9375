import { describe, expect, it } from 'vitest';
import {
  agreementOf,
  type ConfusionCounts,
  confusion,
  type VerdictPair,
} from './judge-agreement.js';

const table = (bothPass: number, judgeOnlyPass: number, humanOnlyPass: number, bothFail: number) =>
  ({ bothPass, judgeOnlyPass, humanOnlyPass, bothFail }) satisfies ConfusionCounts;

describe('judge agreement', () => {
  it('counts pairs into the confusion table', () => {
    const pairs: VerdictPair[] = [
      { judgePassed: true, humanPassed: true },
      { judgePassed: true, humanPassed: false },
      { judgePassed: false, humanPassed: true },
      { judgePassed: false, humanPassed: true },
      { judgePassed: false, humanPassed: false },
    ];
    expect(confusion(pairs)).toEqual(table(1, 1, 2, 1));
  });

  it('computes accuracy and kappa of a hand-worked table (po 0.7, pe 0.5, kappa 0.4)', () => {
    // n 50; judge passes 25, humans pass 30; pe = (25·30 + 25·20) / 50² = 0.5.
    const f = agreementOf(table(20, 5, 10, 15));
    expect(f).toMatchObject({ labelled: 50, agreed: 35, accuracy: 0.7, kappa: 0.4 });
    expect(f.kappaUndefined).toBeUndefined();
  });

  it('computes a second hand-worked table exactly (kappa 3/23)', () => {
    // n 100; po 0.6; judge passes 60, humans 70; pe = (60·70 + 40·30) / 100² = 0.54.
    const f = agreementOf(table(45, 15, 25, 15));
    expect(f.accuracy).toBe(0.6);
    expect(f.kappa).toBe(600 / 4600);
    expect(f.kappa).toBeCloseTo((0.6 - 0.54) / (1 - 0.54), 12);
  });

  it('gives kappa 1 for perfect agreement on both verdicts and -1 for perfect disagreement', () => {
    expect(agreementOf(table(3, 0, 0, 2)).kappa).toBe(1);
    expect(agreementOf(table(0, 2, 2, 0))).toMatchObject({ accuracy: 0, kappa: -1 });
  });

  it('gives kappa 0 when the judge passes everything humans fail (chance agreement 0)', () => {
    expect(agreementOf(table(0, 4, 0, 0))).toMatchObject({ accuracy: 0, kappa: 0 });
  });

  it('reports kappa as undefined, not NaN, when chance agreement is 1', () => {
    const allPass = agreementOf(table(4, 0, 0, 0));
    expect(allPass.accuracy).toBe(1);
    expect(allPass.kappa).toBeNull();
    expect(allPass.kappaUndefined).toMatch(/only 'pass' verdicts.*chance is 1/);
    const allFail = agreementOf(table(0, 0, 0, 3));
    expect(allFail.kappa).toBeNull();
    expect(allFail.kappaUndefined).toMatch(/only 'fail' verdicts/);
  });

  it('reports nothing labelled with null accuracy and kappa', () => {
    expect(agreementOf(table(0, 0, 0, 0))).toMatchObject({
      labelled: 0,
      accuracy: null,
      kappa: null,
      kappaUndefined: 'no labelled calls',
    });
  });
});
