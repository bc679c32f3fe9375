/**
 * A driver whose commit is refused because another writer owns the run now (its lease was taken,
 * or a version was appended under it) detaches quietly: it writes nothing more, reports no
 * driver failure, and the run stays as the other writer left it, resumable.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CommitOutcome,
  createRuntime,
  type Logger,
  type RunWrite,
  sqliteStore,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { applications, referenceWorkflow } from './fixtures.js';
import { gate } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A logger keeping what was logged at error level. */
function errorLog(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  const none = (): void => {};
  return {
    errors,
    logger: { debug: none, info: none, warn: none, error: (m) => errors.push(m) },
  };
}

/** Yields to the event loop until `check` holds (a bound on turns, not a duration). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100_000; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition never held');
}

describe('a refused commit', () => {
  for (const how of ['lease taken', 'version appended'] as const) {
    it(`detaches the driver without a failure when another writer won (${how})`, async () => {
      const t = tempDbPath('commit-refused');
      cleanups.push(t.remove);
      const store = sqliteStore(t.path);
      // Observe what the store answers the driver: the real store, its outcomes recorded.
      const refused: CommitOutcome[] = [];
      const commit = store.commit.bind(store);
      store.commit = async (writes: readonly RunWrite[]) => {
        const out = await commit(writes);
        refused.push(...out.filter((o) => !o.ok));
        return out;
      };
      const hold = gate();
      const wf = referenceWorkflow({
        hooks: { before: (s) => (s === 'risk' ? hold.opened : undefined) },
      });
      const { logger, errors } = errorLog();
      const rt = createRuntime({ store, workflows: [wf], owner: 'driver', logger });
      const run = await rt.start(wf, applications(1)[0]!);
      await until(async () => (await rt.getRun(run.id)).headVersion >= 4);
      const head = (await rt.getRun(run.id)).headVersion;
      const now = Date.now();
      if (how === 'lease taken') {
        const [o] = await commit([
          {
            runId: run.id,
            run: { updatedAt: now, lease: { owner: 'intruder', expiresAt: now + 3_600_000 } },
          },
        ]);
        expect(o).toEqual({ ok: true, headVersion: head });
      } else {
        const [last] = await store.readVersions(run.id, head, head);
        const [o] = await commit([
          {
            runId: run.id,
            expectedVersion: head,
            versions: [{ ...last!, version: head + 1, step: 'intruder', createdAt: now }],
          },
        ]);
        expect(o).toEqual({ ok: true, headVersion: head + 1 });
      }
      hold.open();
      await until(() => refused.length > 0);
      const code = (refused[0] as { error: { code?: string } }).error.code;
      expect(code).toBe(how === 'lease taken' ? 'LEASE_LOST' : 'VERSION_CONFLICT');
      // One more turn: the driver has handled the refusal.
      await new Promise((r) => setImmediate(r));
      await rt.close();
      expect(errors).toEqual([]);
      const reader = createRuntime({ store: sqliteStore(t.path), resume: false });
      cleanups.push(() => reader.close());
      const history = await reader.history(run.id);
      expect(history.filter((h) => h.step === 'risk')).toEqual([]);
      expect(history.length).toBe(how === 'lease taken' ? head : head + 1);
    });
  }
});
