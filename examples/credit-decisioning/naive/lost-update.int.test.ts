/**
 * The lost update on a scripted interleaving: the counts are exact, computed here from the seed
 * independently of the run, and read back from each store by the run.
 */
import { describe, expect, it } from 'vitest';
import { generateApplications } from '../domain/generate.js';
import { creditScore } from '../domain/logic.js';
import { createRng } from '../domain/prng.js';
import { softPullScore } from './agents.js';
import { formatLostUpdate, runLostUpdate } from './lost-update.js';

const N = 400;
const SEED = 7;

/** The script's overlapped applicants, drawn here the way the script draws them. */
function expectedOverlaps(n: number, seed: number, rate: number) {
  const rng = createRng(seed ^ 0x105e);
  const overlapped = generateApplications(n, seed).filter(() => rng.chance(rate));
  return {
    overlapped: overlapped.length,
    visible: overlapped.filter((a) => softPullScore(a).score !== creditScore(a).score).length,
  };
}

describe('the lost update, on a scripted interleaving', () => {
  it('loses exactly the overlapped score writes in the naive row, and none on Baton', async () => {
    const want = expectedOverlaps(N, SEED, 0.25);
    expect(want.visible).toBeGreaterThan(0);
    const r = await runLostUpdate({ applications: N, seed: SEED });
    expect(r).toEqual({
      applicants: N,
      overlapped: want.overlapped,
      visible: want.visible,
      naive: { writes: 2 * N, lostUpdates: want.visible },
      // Every overlapped pair's second writer was refused once, then appended on the new head.
      baton: { appends: 2 * N, conflicts: want.overlapped, lostUpdates: 0 },
    });
    expect(formatLostUpdate(r)[0]).toBe(
      `lost updates         naive ${want.visible} of ${N} records; Baton 0`,
    );
  });

  it('loses nothing when no writers overlap, and every visible update when all do', async () => {
    const none = await runLostUpdate({ applications: 100, seed: SEED, overlapRate: 0 });
    expect(none.naive.lostUpdates).toBe(0);
    expect(none.baton.conflicts).toBe(0);
    const all = await runLostUpdate({ applications: 100, seed: SEED, overlapRate: 1 });
    const apps = generateApplications(100, SEED);
    const visible = apps.filter((a) => softPullScore(a).score !== creditScore(a).score).length;
    expect(all.naive.lostUpdates).toBe(visible);
    expect(all.baton).toEqual({ appends: 200, conflicts: 100, lostUpdates: 0 });
    await expect(runLostUpdate({ applications: 1, seed: 1, overlapRate: 2 })).rejects.toThrow(
      /overlapRate .* got 2/,
    );
  });
});
