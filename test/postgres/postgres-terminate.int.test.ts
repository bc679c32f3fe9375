/**
 * Connection loss during runs: backends of a runtime's pool are killed with
 * pg_terminate_backend from a second client while runs are in flight. Every run must still
 * complete exactly once with the oracle's answer, and every history must verify.
 */
import { afterEach, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { createRuntime, type Runtime } from '../../src/index.js';
import { applications, oracle, referenceWorkflow } from '../orchestrator/fixtures.js';
import { gate } from '../orchestrator/helpers.js';
import {
  adminQuery,
  describeWithPostgres,
  dropSchema,
  POSTGRES_URL,
  uniqueSchema,
} from './server.js';

const RUNS = 60;
const STEPS = ['score', 'income', 'fraud', 'risk', 'decision'];

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/**
 * Kills backends of `app` that are busy (in a query or a transaction), or with `commits` only
 * those running a commit of versions (the one-statement commit or the general path's insert);
 * returns how many.
 */
async function killBusyBackends(app: string, commits: boolean): Promise<number> {
  const rows = await adminQuery<{ k: boolean }>(
    `SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity
     WHERE application_name = $1 AND state <> 'idle'
       AND (NOT $2 OR query LIKE '%baton_locked%' OR query LIKE '%INSERT INTO versions%')`,
    [app, commits],
  );
  return rows.filter((r) => r.k).length;
}

describeWithPostgres('postgresStore under connection termination', () => {
  it('completes every run exactly once with the oracle answer while backends are killed mid-run', async () => {
    const schema = uniqueSchema('terminate');
    const app = `baton_${schema}`.slice(0, 60);
    const logs: string[] = [];
    const log = (message: string, fields?: Record<string, unknown>) =>
      logs.push(`${message} ${JSON.stringify(fields ?? {})}`);
    const started = gate();
    let calls = 0;
    const killed: number[] = [];
    const killing: Promise<void>[] = [];
    const wf = referenceWorkflow({
      hooks: {
        before: async () => {
          await started.opened;
          calls++;
          // Every 25th agent call, kill what the pool is doing right now (bounded tries until a
          // busy backend is hit): the first two times a commit in flight — commits are short
          // single statements, so killing whatever is busy may only ever hit claims and
          // renewals — then anything busy (a commit, a claim or a renewal).
          if (calls % 25 === 0 && killing.length < 6) {
            const commits = killing.length < 2;
            killing.push(
              (async () => {
                for (let i = 0; i < 2000; i++) {
                  const n = await killBusyBackends(app, commits);
                  if (n > 0) {
                    killed.push(n);
                    return;
                  }
                }
              })(),
            );
          }
          // io agent: an LLM or HTTP call.
          await new Promise((r) => setTimeout(r, 10));
        },
      },
    });
    const store = postgresStore({
      connectionString: POSTGRES_URL,
      schema,
      poolSize: 4,
      pool: { application_name: app },
    });
    const rt: Runtime = createRuntime({
      store,
      workflows: [wf],
      leaseMs: 1000,
      pollMs: 50,
      logger: { debug: () => {}, info: () => {}, warn: log, error: log },
    });
    cleanup = async () => {
      await rt.close();
      await dropSchema(schema);
    };
    const apps = applications(RUNS, 42);
    const handles = await Promise.all(apps.map((a) => rt.start(wf, a)));
    started.open();
    const results = await Promise.all(handles.map((h) => h.result()));
    await Promise.all(killing);

    expect(killed.length).toBeGreaterThan(0);
    // The kills hit commits: drivers failed with a retryable StoreUnavailableError, and their
    // runs were claimed again and resumed from the last committed version.
    expect(
      logs.some((l) => l.startsWith('run driver failed') && /StoreUnavailableError/.test(l)),
    ).toBe(true);
    expect(results).toEqual(apps.map(oracle));
    for (const h of handles) {
      const history = await rt.history(h.id);
      expect(history.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
      // Each step's slot was written once: no committed step ran again.
      expect(
        history
          .slice(1)
          .map((v) => v.step)
          .sort(),
      ).toEqual([...STEPS].sort());
      expect(await rt.verify(h.id)).toMatchObject({ ok: true, versions: 6 });
      expect((await rt.getRun(h.id)).status).toBe('completed');
    }
  });
});
