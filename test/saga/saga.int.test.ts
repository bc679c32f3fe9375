import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Alert,
  createRuntime,
  isRunFailedError,
  memoryStore,
  sqliteStore,
} from '../../src/index.js';
import { startScript } from '../support/child.js';
import { tempDbPath } from '../support/temp-db.js';
import { openLedger, sagaWorkflow } from './saga-flow.js';

const CHILD = fileURLToPath(new URL('./fixtures/saga-child.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
function paths() {
  const t = tempDbPath('saga');
  cleanups.push(t.remove);
  return { db: t.path, ledger: join(t.path, '..', 'ledger.db') };
}

describe('sagas: durable reverse compensation', () => {
  it.each([1, 2, 3, 4, 5])(
    'a failure at step %i leaves the table exactly as it was',
    async (failAt) => {
      const p = paths();
      const ledger = openLedger(p.ledger);
      ledger.db.prepare("INSERT INTO ledger (key) VALUES ('pre-existing')").run();
      const before = ledger.rows();
      const wf = sagaWorkflow(ledger, 'test');
      const rt = createRuntime({ store: sqliteStore(p.db), workflows: [wf] });
      const run = await rt.start(wf, { orderId: `o-${failAt}`, failAt });
      const err = await run.result().catch((e: unknown) => e);
      expect(isRunFailedError(err)).toBe(true);
      if (!isRunFailedError(err)) return;
      expect(err.failure).toMatchObject({
        step: `s${failAt}`,
        message: `step ${failAt} failed on purpose`,
      });
      const done = Array.from({ length: failAt - 1 }, (_, i) => `s${i + 1}`);
      expect(err.compensated).toEqual([...done].reverse());
      expect(ledger.rows()).toEqual(before);
      expect(
        ledger
          .log()
          .filter((l) => l.action === 'undo')
          .map((l) => l.step),
      ).toEqual([...done].reverse());
      const status = await run.status();
      expect(status).toBe(failAt === 1 ? 'failed' : 'compensated');
      if (failAt > 1) {
        const last = (await rt.history(run.id)).at(-1)!;
        expect(last).toMatchObject({ tag: 'compensated', step: '$compensated' });
        expect(Object.keys(last.data)).toEqual(['input']);
      }
      expect((await rt.verify(run.id)).ok).toBe(true);
      ledger.close();
      await rt.close();
    },
  );

  it('ends in compensation_failed, loud and listed, when a compensation keeps failing', async () => {
    const p = paths();
    const ledger = openLedger(p.ledger);
    const alerts: Alert[] = [];
    const wf = sagaWorkflow(ledger, 'test', { failCompensationOf: 2 });
    const rt = createRuntime({
      store: memoryStore(),
      workflows: [wf],
      onAlert: (a) => void alerts.push(a),
    });
    const run = await rt.start(wf, { orderId: 'o-x', failAt: 4 });
    const err = await run.result().catch((e: unknown) => e);
    expect(isRunFailedError(err) && err.status).toBe('compensation_failed');
    expect(alerts).toMatchObject([{ kind: 'compensation_failed', runId: run.id, step: 's2' }]);
    expect((await rt.listRuns({ status: 'compensation_failed' })).map((r) => r.runId)).toEqual([
      run.id,
    ]);
    const journal = await rt.journal(run.id);
    expect(
      journal.filter((j) => j.type === 'compensation.attempt_failed' && j.step === 's2'),
    ).toHaveLength(2);
    expect(journal.filter((j) => j.type === 'compensation.failed' && j.step === 's2')).toHaveLength(
      1,
    );
    // s3 was undone; s1 was not touched, since the saga stops at the step it cannot undo.
    expect(
      ledger
        .log()
        .filter((l) => l.action === 'undo')
        .map((l) => l.step),
    ).toEqual(['s3']);
    ledger.close();
    await rt.close();
  });

  it('resumes a compensation killed with SIGKILL where it stopped, never undoing a step twice', async () => {
    const p = paths();
    const child = startScript(CHILD, [p.db, p.ledger]);
    await child.waitFor((m) => (m as { type?: string }).type === 'compensating');
    child.proc.kill('SIGKILL');
    await child.exited;

    const ledger = openLedger(p.ledger);
    expect(ledger.log().filter((l) => l.action === 'undo')).toEqual([
      { step: 's4', action: 'undo', phase: 'child' },
    ]);
    const wf = sagaWorkflow(ledger, 'resume');
    const rt = createRuntime({
      store: sqliteStore(p.db),
      workflows: [wf],
      leaseMs: 1000,
      pollMs: 50,
    });
    const err = await (await rt.handle('saga-run')).result().catch((e: unknown) => e);
    expect(isRunFailedError(err) && err.status).toBe('compensated');
    expect(ledger.rows()).toEqual([]);
    const undos = ledger
      .log()
      .filter((l) => l.action === 'undo')
      .map((l) => `${l.step}:${l.phase}`);
    expect(undos).toEqual(['s4:child', 's3:resume', 's2:resume', 's1:resume']);
    ledger.close();
    await rt.close();
  });
});
