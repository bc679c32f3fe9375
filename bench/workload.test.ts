import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type App,
  computeDecision,
  computeFraud,
  computeIncome,
  computeRisk,
  computeScore,
  type Decision,
  generateApplications,
  IO_DELAY_MS,
  oracle,
  runPool,
  stepFns,
  verifyDecisions,
} from './workload.js';

const apps = generateApplications(7, 500);

describe('generateApplications', () => {
  it('builds the same applications from the same seed and different ones from another', () => {
    expect(generateApplications(7, 500)).toEqual(apps);
    const other = generateApplications(8, 500);
    expect(other.filter((a, i) => a.annualIncome === apps[i]!.annualIncome).length).toBeLessThan(
      50,
    );
  });

  it('gives every application its own id', () => {
    expect(new Set(apps.map((a) => a.id)).size).toBe(apps.length);
  });

  it('rejects a count that is not a non-negative integer, naming it', () => {
    expect(() => generateApplications(1, -1)).toThrow(/count must be .* got -1/);
    expect(() => generateApplications(1, 1.5)).toThrow(RangeError);
  });
});

describe('oracle', () => {
  it('reaches every outcome, so the workload exercises every branch of the decision', () => {
    const reasons = new Set(apps.map((a) => oracle(a).reason));
    expect([...reasons].sort()).toEqual(['fraud', 'ok', 'risk-C', 'risk-D']);
  });

  it('changes the decision when any one step output is wrong (a skipped or miswired step)', () => {
    let detected = 0;
    for (const app of apps.slice(0, 100)) {
      const good = oracle(app);
      const score = computeScore(app);
      const income = computeIncome(app);
      const fraud = computeFraud(app);
      const risk = computeRisk({ score, income });
      const variants: Decision[] = [
        computeDecision({
          applicationId: app.id,
          risk: computeRisk({ score: { ...score, score: score.score + 1 }, income }),
          fraud,
        }),
        computeDecision({
          applicationId: app.id,
          risk: computeRisk({
            score,
            income: { ...income, monthlyIncome: income.monthlyIncome + 1 },
          }),
          fraud,
        }),
        computeDecision({
          applicationId: app.id,
          risk,
          fraud: { ...fraud, fraudScore: fraud.fraudScore + 1 },
        }),
      ];
      for (const v of variants) expect(v.check).not.toBe(good.check);
      detected += variants.length;
    }
    expect(detected).toBe(300);
  });
});

describe('verifyDecisions', () => {
  const expected = apps.slice(0, 20).map(oracle);

  it('accepts the oracle decisions whatever their key order', () => {
    const reordered = expected.map((d) => JSON.parse(JSON.stringify(d, Object.keys(d).sort())));
    expect(() => verifyDecisions('ok', apps.slice(0, 20), reordered)).not.toThrow();
  });

  it('fails loudly when two runs received each other’s decisions', () => {
    const swapped = [...expected];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    expect(() => verifyDecisions('swap', apps.slice(0, 20), swapped)).toThrow(
      /swap: 2 of 20 decisions differ from the oracle/,
    );
  });

  it('fails when a decision is missing or the counts differ', () => {
    const missing: (Decision | undefined)[] = [...expected];
    missing[7] = undefined;
    expect(() => verifyDecisions('gap', apps.slice(0, 20), missing)).toThrow(/1 of 20/);
    expect(() => verifyDecisions('short', apps.slice(0, 20), expected.slice(1))).toThrow(
      /19 decisions for 20 applications/,
    );
  });
});

describe('stepFns', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes io steps wait IO_DELAY_MS before answering', async () => {
    vi.useFakeTimers();
    const app = apps[0] as App;
    let done = false;
    const pending = stepFns('io')
      .score(app)
      .then((s) => {
        done = true;
        return s;
      });
    await vi.advanceTimersByTimeAsync(IO_DELAY_MS - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toEqual(computeScore(app));
  });

  it('makes trivial steps answer without a timer', async () => {
    vi.useFakeTimers();
    expect(await stepFns('trivial').fraud(apps[1]!)).toEqual(computeFraud(apps[1]!));
  });

  it('rejects an unknown mode, naming it', () => {
    expect(() => stepFns('slow' as never)).toThrow(/got "slow"/);
  });
});

describe('runPool', () => {
  it('runs every index once and never more than inFlight at a time', async () => {
    const seen: number[] = [];
    let active = 0;
    let peak = 0;
    await runPool(50, 4, async (i) => {
      active++;
      peak = Math.max(peak, active);
      // Yield a few times so other workers get to start while this one is in flight.
      for (let k = 0; k < (i % 3) + 1; k++) await Promise.resolve();
      seen.push(i);
      active--;
    });
    expect(peak).toBe(4);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('stops starting tasks once stop() is true and reports how many ran, all finished', async () => {
    let started = 0;
    const finished: number[] = [];
    const n = await runPool(
      100,
      3,
      async (i) => {
        started++;
        await Promise.resolve();
        finished.push(i);
      },
      () => started >= 10,
    );
    expect(n).toBe(10);
    expect([...finished].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('rejects when a task fails', async () => {
    await expect(
      runPool(10, 3, async (i) => {
        if (i === 5) throw new Error('task 5 failed');
      }),
    ).rejects.toThrow('task 5 failed');
  });

  it('rejects bad sizes, naming the value', async () => {
    await expect(runPool(1, 0, async () => {})).rejects.toThrow(/inFlight .* got 0/);
    await expect(runPool(-1, 1, async () => {})).rejects.toThrow(/total .* got -1/);
  });
});
