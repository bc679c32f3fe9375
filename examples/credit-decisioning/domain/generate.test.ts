import { describe, expect, it } from 'vitest';
import { Application } from './contracts.js';
import { generateApplications } from './generate.js';
import { createRng } from './prng.js';

describe('generateApplications', () => {
  it('yields the same applications for the same seed', () => {
    expect(generateApplications(300, 7)).toEqual(generateApplications(300, 7));
  });

  it('yields different applications for different seeds', () => {
    const a = generateApplications(50, 7);
    const b = generateApplications(50, 8);
    const same = a.filter((app, i) => JSON.stringify(app) === JSON.stringify(b[i]));
    expect(same).toHaveLength(0);
  });

  it('makes a longer run extend a shorter one with the same seed', () => {
    expect(generateApplications(500, 3).slice(0, 100)).toEqual(generateApplications(100, 3));
  });

  it('gives every applicant a unique id and a valid application', () => {
    const apps = generateApplications(1_000, 11);
    expect(new Set(apps.map((a) => a.applicantId)).size).toBe(1_000);
    for (const app of apps) {
      const r = Application.validate(app);
      expect(r.ok, JSON.stringify(r)).toBe(true);
    }
  });

  it('draws realistic distributions', () => {
    const apps = generateApplications(2_000, 5);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const incomes = apps.map((a) => a.statedAnnualIncome).sort((x, y) => x - y);
    expect(incomes[1_000]).toBeGreaterThan(50_000);
    expect(incomes[1_000]).toBeLessThan(80_000);
    expect(mean(apps.map((a) => a.age))).toBeGreaterThan(35);
    expect(mean(apps.map((a) => a.age))).toBeLessThan(48);
    const noRecords = apps.filter((a) => a.payroll.source === 'none').length / apps.length;
    expect(noRecords).toBeGreaterThan(0.01);
    expect(noRecords).toBeLessThan(0.1);
  });

  it('rejects a bad count or seed, naming the value', () => {
    expect(() => generateApplications(-1, 1)).toThrow(/n must be .* got -1/);
    expect(() => generateApplications(1.5, 1)).toThrow(RangeError);
    expect(() => generateApplications(1, Number.NaN)).toThrow(/seed .* got NaN/);
  });
});

describe('createRng', () => {
  it('repeats its sequence for a seed and stays within its ranges', () => {
    const a = createRng(99);
    const b = createRng(99);
    const xs = Array.from({ length: 1_000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1_000 }, () => b.next()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const ints = Array.from({ length: 1_000 }, () => a.int(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
  });

  it('draws normals with the requested mean and spread', () => {
    const rng = createRng(4);
    const xs = Array.from({ length: 20_000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
  });
});
