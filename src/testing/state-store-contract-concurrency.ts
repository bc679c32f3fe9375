/**
 * Conformance cases for racing writers and for immutability of stored versions.
 */
import { expect, it } from 'vitest';
import { isVersionConflictError } from '../errors.js';
import type { VersionRecord } from '../ledger/types.js';
import { verifyChain } from '../ledger/versions.js';
import type { CurrentStore } from './state-store-fixtures.js';
import { appendWithRetry, nextVersion, sampleRun } from './state-store-fixtures.js';

/** Appends per writer in the race case; two writers give 2 x this many versions after v1. */
const APPENDS_PER_WRITER = 150;

/** Registers the concurrency and immutability cases. */
export function describeConcurrencyContract(store: CurrentStore): void {
  it('lets two async writers race on one run: every version is won exactly once', async () => {
    await store().createRun(sampleRun('race'));
    // Force at least one real collision: both writers read head 1 before either commits.
    const v1 = (await store().readVersions('race'))[0]!;
    const opening = await Promise.all(
      ['w1', 'w2'].map((w) =>
        store().commit([{ runId: 'race', expectedVersion: 1, versions: [nextVersion(v1, w, 0)] }]),
      ),
    );
    const openingWins = opening.filter(([o]) => o?.ok).length;
    expect(openingWins).toBe(1);
    const openingLoss = opening.map(([o]) => o).find((o) => o && !o.ok);
    expect(isVersionConflictError(openingLoss && !openingLoss.ok ? openingLoss.error : null)).toBe(
      true,
    );

    const writer = async (name: string) => {
      const won: number[] = [];
      let conflicts = 0;
      for (let i = 1; i <= APPENDS_PER_WRITER; i++) {
        const r = await appendWithRetry(store(), 'race', name, { writer: name, i });
        won.push(r.version.version);
        conflicts += r.conflicts;
      }
      return { won, conflicts };
    };
    const [a, b] = await Promise.all([writer('w1'), writer('w2')]);
    const all = [...a!.won, ...b!.won].sort((x, y) => x - y);
    const expected = Array.from({ length: 2 * APPENDS_PER_WRITER }, (_, i) => i + 3);
    expect(all).toEqual(expected);

    const run = await store().getRun('race');
    expect(run?.headVersion).toBe(2 * APPENDS_PER_WRITER + 2);
    const versions = await store().readVersions('race');
    expect(verifyChain(versions, run?.headVersion)).toMatchObject({
      ok: true,
      versions: 2 * APPENDS_PER_WRITER + 2,
    });
    // Each stored version carries the payload of the writer that won it.
    for (const n of a!.won) expect(versions[n - 1]?.step).toBe('w1');
    for (const n of b!.won) expect(versions[n - 1]?.step).toBe('w2');
  });

  it('never changes a stored version: later commits leave earlier reads identical', async () => {
    await store().createRun(sampleRun('run-a', { input: { a: [1, 2, { b: 'c' }] } }));
    let head = (await store().readVersions('run-a'))[0]!;
    for (let i = 0; i < 3; i++) {
      head = (await appendWithRetry(store(), 'run-a', `s${i}`, { i, deep: { list: [i] } })).version;
    }
    const before = await store().readVersions('run-a');
    const snapshot = before.map((v) => ({ ...v }));
    expect(before.every((v) => Object.isFrozen(v))).toBe(true);
    expect(() => {
      (before[1] as { payload: string }).payload = '{"tampered":true}';
    }).toThrow(TypeError);

    for (let i = 3; i < 6; i++) {
      head = (await appendWithRetry(store(), 'run-a', `s${i}`, { i })).version;
    }
    await store().commit([
      { runId: 'run-a', expectedVersion: head.version, run: { status: 'completed', updatedAt: 9 } },
    ]);
    const after = await store().readVersions('run-a', 1, snapshot.length);
    expect(after).toEqual(snapshot);
    expect(after.map(fingerprint)).toEqual(snapshot.map(fingerprint));
    expect(verifyChain(await store().readVersions('run-a'), 7).ok).toBe(true);
  });
}

function fingerprint(v: VersionRecord): string {
  return `${v.version}:${v.hash}:${v.prevHash}:${v.payload}`;
}
