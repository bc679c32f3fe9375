/**
 * The results report's experiments at their smallest size (`test`): each runs for real and its
 * invariants hold — Baton makes no wrong decision, the naive wiring does at the seed's settings,
 * compensation leaves no side effect, the root-cause script finds every planted bug, the breaker
 * spares the dead service — and the figures render. `npm run report` runs the full sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { breakersExperiment } from '../../scripts/report/breakers/index.js';
import { renderSvg } from '../../scripts/report/chart.js';
import { compensationExperiment } from '../../scripts/report/compensation/index.js';
import { reliabilityExperiment } from '../../scripts/report/reliability/index.js';
import { SEED_SETTINGS } from '../../scripts/report/reliability/measure.js';
import { rootCauseExperiment } from '../../scripts/report/root-cause/index.js';
import type { ExperimentContext, ExperimentResult, Row } from '../../scripts/report/types.js';
import { versioningExperiment } from '../../scripts/report/versioning/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function context(): ExperimentContext {
  const tmpDir = mkdtempSync(join(tmpdir(), 'baton-report-test-'));
  dirs.push(tmpDir);
  return { size: 'test', seed: 1, tmpDir, postgresUrl: null, log: () => undefined };
}

const rows = (r: ExperimentResult, table: string): readonly Row[] => {
  const t = r.data[table];
  if (!t) throw new Error(`${r.id} has no table ${table}`);
  return t;
};
const sum = (rs: readonly Row[], field: string): number =>
  rs.reduce((n, r) => n + Number(r[field]), 0);

async function expectRenders(r: ExperimentResult): Promise<void> {
  expect(r.markdown.length).toBeGreaterThan(0);
  expect(r.headline.length).toBeGreaterThan(0);
  for (const f of r.figures) expect(await renderSvg(f.spec)).toMatch(/^<svg[\s\S]*<\/svg>$/);
}

describe('the results report, small', () => {
  it('reliability: Baton decides nothing wrong and loses nothing; the naive wiring gets decisions wrong at the seed settings', async () => {
    const r = await reliabilityExperiment(context());
    const sweep = rows(r, 'sweep');
    const baton = sweep.filter((x) => x.system === 'baton');
    const naiveAtSeed = sweep.filter(
      (x) =>
        x.system === 'naive' &&
        x.ttlMs === SEED_SETTINGS.cacheTtlMs &&
        x.concurrency === SEED_SETTINGS.concurrency,
    );
    expect(baton.length).toBeGreaterThan(0);
    expect(naiveAtSeed.length).toBeGreaterThan(0);
    expect(sum(baton, 'wrongDecisions')).toBe(0);
    expect(sum(baton, 'wrongRatings')).toBe(0);
    expect(sum(baton, 'lostUpdates')).toBe(0);
    expect(sum(naiveAtSeed, 'wrongDecisions')).toBeGreaterThan(0);
    expect(sum(naiveAtSeed, 'lostUpdates')).toBeGreaterThan(0);
    // Under faults and a SIGKILLed worker, Baton still decides right, loses nothing, and leaves
    // no side effect half-finished.
    const faults = rows(r, 'faults').filter((x) => x.system === 'baton');
    expect(faults.length).toBeGreaterThan(0);
    for (const f of ['wrongDecisions', 'wrongRatings', 'lostInCrash', 'halfFinished', 'undecided'])
      expect(sum(faults, f), f).toBe(0);
    // With no score rewritten during the decision, the naive wiring has nothing stale to read.
    const rewrites = rows(r, 'rewrites');
    expect(
      sum(
        rewrites.filter((x) => x.rewriteShare === 0),
        'wrongDecisions',
      ),
    ).toBe(0);
    expect(
      sum(
        rewrites.filter((x) => x.rewriteShare === 1),
        'wrongDecisions',
      ),
    ).toBeGreaterThan(0);
    await expectRenders(r);
  }, 180_000);

  it('versioning: versions keep history that grows with the run, the mutable record keeps one state', async () => {
    const r = await versioningExperiment(context());
    const points = rows(r, 'points');
    const of = (design: string) => points.find((p) => p.design === design);
    expect(Number(of('Baton versions')?.bytesPerRun)).toBeGreaterThan(
      Number(of('mutable record')?.bytesPerRun),
    );
    expect(Number(of('Baton runtime')?.usPerStep)).toBeGreaterThan(0);
    expect(rows(r, 'reads').map((x) => x.version)).toEqual([2, 5, 11]);
    await expectRenders(r);
  }, 120_000);

  it('compensation leaves no side effect behind', async () => {
    const r = await compensationExperiment(context());
    const chain = rows(r, 'chain');
    expect(chain.length).toBeGreaterThan(0);
    for (const c of chain) {
      expect(c.status).toBe('compensated');
      expect(c.linesBooked).toBe(c.steps);
      expect(c.linesLeftBooked).toBe(0);
    }
    const rates = rows(r, 'rates');
    expect(sum(rates, 'compensated')).toBeGreaterThan(0);
    expect(sum(rates, 'ledgerProblems')).toBe(0);
    expect(sum(rates, 'linesVoided')).toBe(sum(rates, 'compensated'));
    // The reference system's one compensator is counted from its source.
    expect(rows(r, 'lines').find((x) => x.agent === 'final-approval')?.compensateLines).toBe(1);
    await expectRenders(r);
  }, 120_000);

  it('root cause: the scripted baton commands name every planted culprit', async () => {
    const r = await rootCauseExperiment(context());
    const found = rows(r, 'investigations');
    expect(found.map((x) => x.bug)).toEqual(['stale read', 'buggy agent version', 'lost update']);
    for (const x of found) {
      expect(x.found, String(x.culprit)).toBe(true);
      expect(Number(x.commands)).toBeLessThanOrEqual(3);
    }
    await expectRenders(r);
  }, 120_000);

  it('breakers: the breaker calls the dead service less than no breaker does', async () => {
    const r = await breakersExperiment(context());
    const runs = rows(r, 'runs');
    const dead = (v: string) => Number(runs.find((x) => x.variant === v)?.callsToDeadService);
    expect(dead('with the breaker')).toBeGreaterThan(0);
    expect(dead('with the breaker')).toBeLessThan(dead('without a breaker'));
    expect(rows(r, 'intervals').some((x) => x.state === 'open')).toBe(true);
    await expectRenders(r);
  }, 120_000);
});
