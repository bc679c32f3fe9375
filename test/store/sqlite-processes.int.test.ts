/**
 * Real OS processes on one SQLite file: two writers racing, and a writer killed with SIGKILL.
 */
import { randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import type { StateStore } from '../../src/ledger/store.js';
import { verifyChain } from '../../src/ledger/versions.js';
import { startFixture } from '../support/child.js';
import { tempDbPath } from '../support/temp-db.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openStore(path: string): Promise<StateStore> {
  const store = sqliteStore(path);
  await store.migrate();
  cleanups.unshift(() => store.close());
  return store;
}

describe('two processes racing on one SQLite file', () => {
  it('wins each of 10,000 appends exactly once, losing and duplicating none', async () => {
    const { path, remove } = tempDbPath('race');
    cleanups.push(remove);
    const perWriter = 5_000;
    const writers = ['p1', 'p2'].map((w) =>
      startFixture('race-writer', [path, 'race', w, String(perWriter), 'FULL']),
    );
    await Promise.all(writers.map((c) => c.waitFor((m) => (m as { ready?: true }).ready === true)));
    // Barrier: both are migrated and idle; release them together.
    for (const c of writers) c.proc.stdin?.end('go\n');
    const results = (await Promise.all(
      writers.map((c) => c.waitFor((m) => (m as { done?: true }).done === true)),
    )) as { won: number[]; conflicts: number }[];
    for (const c of writers) expect(await c.exited).toEqual({ code: 0, signal: null });

    const won = results.flatMap((r) => r.won).sort((a, b) => a - b);
    expect(won).toEqual(Array.from({ length: 2 * perWriter }, (_, i) => i + 2));
    // Both really raced: each won some versions and each lost at least one race.
    for (const r of results) expect(r.won.length).toBe(perWriter);
    expect(results[0]!.conflicts + results[1]!.conflicts).toBeGreaterThan(0);

    const store = await openStore(path);
    const run = await store.getRun('race');
    expect(run?.headVersion).toBe(2 * perWriter + 1);
    const versions = await store.readVersions('race');
    expect(verifyChain(versions, run?.headVersion)).toMatchObject({ ok: true });
    const byWriter = new Map(results.map((r, i) => [`p${i + 1}`, new Set(r.won)]));
    for (const v of versions.slice(1)) expect(byWriter.get(v.step)?.has(v.version)).toBe(true);
  });
});

describe('a writer killed with SIGKILL mid-stream', () => {
  it.each([1, 2, 3])(
    'leaves a store that opens, verifies and holds every acknowledged append (round %i)',
    async () => {
      const { path, remove } = tempDbPath('sigkill');
      cleanups.push(remove);
      const child = startFixture('append-stream', [path]);
      const killAfter = randomInt(20, 300);
      await child.waitFor(() => child.messages.length >= killAfter);
      child.proc.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');

      const acked = new Map<string, Map<number, string>>();
      for (const m of child.messages as {
        acks: { runId: string; versions: [number, string][] }[];
      }[]) {
        for (const a of m.acks) {
          const versions = acked.get(a.runId) ?? new Map<number, string>();
          for (const [v, hash] of a.versions) versions.set(v, hash);
          acked.set(a.runId, versions);
        }
      }
      expect(acked.size).toBe(3);

      const store = await openStore(path);
      for (const [runId, versions] of acked) {
        const run = await store.getRun(runId);
        const stored = await store.readVersions(runId);
        const context = `${runId}, killed after ${killAfter} acknowledgements`;
        expect(verifyChain(stored, run?.headVersion), context).toMatchObject({ ok: true });
        expect(run!.headVersion, context).toBeGreaterThanOrEqual(Math.max(...versions.keys()));
        for (const [v, hash] of versions) expect(stored[v - 1]?.hash, context).toBe(hash);
      }
    },
  );
});
