import { afterEach, describe, expect, it } from 'vitest';
import { creditScore } from '../domain/logic.js';
import { sampleApplication } from '../domain/sample.js';
import { createCustomerCache } from './cache.js';
import { type CustomerDb, openCustomerDb } from './customer-db.js';

const app = sampleApplication();
const score = (n: number) => ({ ...creditScore(app), score: n });

describe('the naive read-through cache', () => {
  let db: CustomerDb | undefined;
  afterEach(() => db?.close());

  function setup(ttlMs: number) {
    db = openCustomerDb(':memory:');
    db.insert(app);
    let now = 0;
    const cache = createCustomerCache({ db, ttlMs, now: () => now });
    return { db, cache, advance: (ms: number) => (now += ms) };
  }

  it('keeps serving a cached score after the database row was rewritten, until the TTL', () => {
    const { db, cache, advance } = setup(1_000);
    db.writeScore(app.applicantId, score(680), 'provisional');
    expect(cache.get(app.applicantId, 'score')?.score).toBe(680);
    db.writeScore(app.applicantId, score(750), 'final');
    advance(999);
    expect(db.read(app.applicantId, 'score')?.score).toBe(750);
    expect(cache.get(app.applicantId, 'score')?.score).toBe(680);
    advance(1);
    expect(cache.get(app.applicantId, 'score')?.score).toBe(750);
    expect(cache.stats()).toEqual({ hits: 1, misses: 2 });
  });

  it('does not cache a field nobody has written yet', () => {
    const { db, cache } = setup(1_000);
    expect(cache.get(app.applicantId, 'income')).toBeNull();
    db.write(app.applicantId, 'income', {
      applicantId: app.applicantId,
      statedIncome: 1,
      verifiedIncome: 1,
      ratio: 1,
      verified: true,
      source: 'payroll',
    });
    expect(cache.get(app.applicantId, 'income')?.verified).toBe(true);
  });

  it('reads through to the database on every call when the TTL is 0', () => {
    const { db, cache } = setup(0);
    db.writeScore(app.applicantId, score(680), 'provisional');
    expect(cache.get(app.applicantId, 'score')?.score).toBe(680);
    db.writeScore(app.applicantId, score(750), 'final');
    expect(cache.get(app.applicantId, 'score')?.score).toBe(750);
    expect(cache.stats().hits).toBe(0);
  });

  it('rejects a negative TTL, naming it', () => {
    db = openCustomerDb(':memory:');
    expect(() => createCustomerCache({ db: db as CustomerDb, ttlMs: -1 })).toThrow(/got -1/);
  });
});
