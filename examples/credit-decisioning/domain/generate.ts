/**
 * Synthetic loan applications with realistic, correlated distributions.
 *
 * Invariants:
 * - Deterministic: the same (n, seed) always yields the same applications, in the same order.
 * - Every application satisfies `credit.application@1` (checked by the tests).
 * - A latent credit quality drives the bureau data, debt and income verification together, so
 *   good and bad files look like real ones; a small share of applications comes from a
 *   synthetic-identity fraud pattern with correlated identity signals.
 */
import type { Application } from './contracts.js';
import { createRng, type Rng } from './prng.js';
import type { TERMS_MONTHS } from './rules.js';

const FIRST = [
  'Ada',
  'Ben',
  'Chloe',
  'Diego',
  'Elif',
  'Farah',
  'Goran',
  'Hana',
  'Ivan',
  'Jun',
  'Kofi',
  'Lena',
  'Mateo',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Yara',
  'Zoe',
] as const;
const LAST = [
  'Adeyemi',
  'Bianchi',
  'Chen',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Moreau',
  'Novak',
  'Okafor',
  'Patel',
  'Rossi',
  'Silva',
  'Tanaka',
  'Usman',
  'Varga',
  'Walsh',
  'Yilmaz',
  'Zimmer',
] as const;
/** Residence countries, weighted towards the lender's home market. */
const COUNTRIES = ['US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'CA', 'GB'] as const;
const FOREIGN_IPS = ['NG', 'RO', 'VN', 'BR', 'RU', 'ID'] as const;
/** Terms, weighted towards 36 and 60 months. */
const TERMS = [
  12, 24, 36, 36, 36, 48, 60, 60, 60, 72, 84,
] as const satisfies readonly (typeof TERMS_MONTHS)[number][];

/** Share of applications coming from the synthetic-identity fraud pattern. */
const FRAUD_RING_SHARE = 0.03;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round = (x: number, step: number): number => Math.round(x / step) * step;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Small counts with a given mean (Poisson by inversion: exact and deterministic). */
function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit && k < 20) {
    k += 1;
    p *= rng.next();
  }
  return k;
}

function bureau(rng: Rng, q: number, age: number): Application['bureau'] {
  const adultMonths = (age - 18) * 12;
  return {
    onTimePaymentRatio: round3(clamp(0.975 + 0.03 * q - Math.abs(rng.normal(0, 0.02)), 0.6, 1)),
    latePayments: poisson(rng, clamp(0.35 - 0.45 * q, 0.02, 4)),
    defaults: rng.chance(q < -1.2 ? 0.35 : 0.015) ? rng.int(1, 2) : 0,
    creditUtilization: round3(clamp(0.33 - 0.17 * q + rng.normal(0, 0.12), 0, 1.2)),
    creditAgeMonths: Math.round(adultMonths * clamp(rng.normal(0.6 + 0.08 * q, 0.2), 0.05, 1)),
    recentInquiries: poisson(rng, clamp(0.9 - 0.5 * q, 0.1, 5)),
    openAccounts: clamp(Math.round(rng.normal(5 + q, 2.5)), 0, 20),
  };
}

function payroll(rng: Rng, stated: number, fraud: boolean): Application['payroll'] {
  const roll = rng.next();
  const source = roll < 0.75 ? 'payroll' : roll < 0.96 ? 'bank-statements' : 'none';
  if (source === 'none') return { source, verifiedAnnualIncome: 0, monthsOfRecords: 0 };
  const shown = fraud
    ? rng.uniform(0.3, 0.6)
    : rng.chance(0.05)
      ? rng.uniform(0.55, 0.85)
      : clamp(rng.normal(0.99, 0.05), 0.8, 1.2);
  return {
    source,
    verifiedAnnualIncome: round(stated * shown, 100),
    monthsOfRecords: rng.chance(0.02) ? rng.int(1, 2) : rng.int(3, 36),
  };
}

function identity(rng: Rng, age: number, home: string, fraud: boolean): Application['identity'] {
  const p = (normal: number, ring: number): boolean => rng.chance(fraud ? ring : normal);
  return {
    addressMismatch: p(0.05, 0.6),
    emailAgeDays: p(0.04, 0.8) ? rng.int(0, 29) : rng.int(30, 6000),
    applicationsLast30Days: p(0.02, 0.7) ? rng.int(4, 9) : rng.chance(0.2) ? rng.int(2, 3) : 1,
    ipCountry: p(0.03, 0.5) ? rng.pick(FOREIGN_IPS) : home,
    idIssuedDaysAgo: p(0.01, 0.85)
      ? rng.int(10, 364)
      : rng.int(365, Math.max(366, (age - 16) * 365)),
    phoneVerified: !p(0.07, 0.6),
  };
}

function application(rng: Rng, index: number): Application {
  const fraud = rng.chance(FRAUD_RING_SHARE);
  const q = rng.normal(0.15, 1);
  const age = clamp(Math.round(rng.normal(41, 12)), 19, 80);
  const home = rng.pick(COUNTRIES);
  const stated = round(
    clamp(Math.exp(rng.normal(Math.log(62_000) + 0.12 * q, 0.45)), 9_000, 600_000),
    100,
  );
  const termMonths = rng.pick(TERMS);
  return {
    applicantId: `app-${String(index + 1).padStart(6, '0')}`,
    name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
    age,
    residenceCountry: home,
    statedAnnualIncome: stated,
    employmentYears: round(clamp(Math.abs(rng.normal(0, 7)), 0, age - 18), 0.5),
    requestedAmount: Math.max(1_000, round(stated * rng.uniform(0.05, 0.5), 500)),
    termMonths,
    existingMonthlyDebt: round(
      (stated / 12) * clamp(rng.normal(0.14 - 0.04 * q, 0.07), 0, 0.6),
      10,
    ),
    bureau: bureau(rng, q, age),
    payroll: payroll(rng, stated, fraud),
    identity: identity(rng, age, home, fraud),
  };
}

/**
 * Generates `n` synthetic applications, deterministically for a seed.
 * @throws RangeError when n is not a non-negative integer or the seed is not finite.
 */
export function generateApplications(n: number, seed: number): Application[] {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`n must be a non-negative integer, got ${n}`);
  }
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => application(rng, i));
}
