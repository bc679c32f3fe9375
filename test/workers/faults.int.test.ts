/**
 * Workers and PostgreSQL with a faulty network between them (test/support/fault-proxy.ts):
 * three workers on one schema, every connection through the proxy, while it resets every
 * connection mid-query, loses commit acknowledgements, stalls half-open (a partition), delays
 * every chunk and refuses new connections. Every run must complete exactly once, no
 * acknowledged version may be lost, and nothing may wait longer than the lease and timeout
 * settings allow.
 */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { createRuntime, type Runtime } from '../../src/index.js';
import type { StateStore } from '../../src/ledger/store.js';
import { applications, referenceWorkflow } from '../orchestrator/fixtures.js';
import { adminQuery, describeWithPostgres, dropSchema, POSTGRES_URL } from '../postgres/server.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { checkRuns, queueRuns, readLedger } from './harness.js';
import { executionsDdl, STEPS } from './workload.js';

/** The bounds every wait of this test derives from. */
const LEASE_MS = 2000;
const POLL_MS = 100;
const CONNECT_TIMEOUT_MS = 1000;
const QUERY_TIMEOUT_MS = 1500;
/** The longest a run may go without progress once the network is healthy again. */
const RECOVERY_MS = LEASE_MS * 3 + QUERY_TIMEOUT_MS * 2 + CONNECT_TIMEOUT_MS;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** What the workers' stores saw: acknowledged versions (with their hash) and failures. */
interface Observed {
  readonly acknowledged: Map<string, string>;
  readonly failures: string[];
}

/** Records every version a commit acknowledged, and every store failure. */
function observing(store: StateStore, seen: Observed): StateStore {
  const commit: StateStore['commit'] = async (writes) => {
    try {
      const outcomes = await store.commit(writes);
      writes.forEach((w, i) => {
        if (!outcomes[i]?.ok) return;
        for (const v of w.versions ?? []) seen.acknowledged.set(`${w.runId}@${v.version}`, v.hash);
      });
      return outcomes;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      seen.failures.push(`${String(code)}: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'commit') return commit;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Resolves when `check` holds, polling; rejects naming `what` after `maxMs`. */
async function until(what: string, check: () => Promise<boolean> | boolean, maxMs: number) {
  const deadline = Date.now() + maxMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${maxMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describeWithPostgres('workers on PostgreSQL through a fault proxy', () => {
  it('completes every run exactly once while connections are reset, stalled, delayed and refused', async () => {
    const schema = `baton_test_faults_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    cleanups.push(() => dropSchema(schema));
    const apps = await queueRuns(schema, applications(120, 19));
    // The agents' side effect lives outside the store: keyed by the step's idempotency key.
    await adminQuery(`CREATE TABLE ${schema}.effects (key TEXT PRIMARY KEY, worker TEXT NOT NULL)`);
    await adminQuery(executionsDdl(schema));
    // Before the stall, agent calls are held at a gate until several runs are mid-step, so
    // commits are still to come on established connections when it begins, however fast the
    // earlier runs went (a commit must be in flight to time out).
    let holding = false;
    let parked = 0;
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const direct = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 }).on('error', () => {});
    cleanups.push(() => direct.end());

    const target = new URL(POSTGRES_URL);
    const proxy: FaultProxy = await startFaultProxy({
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    cleanups.push(() => proxy.close());
    const seen: Observed = { acknowledged: new Map(), failures: [] };
    const workers: Runtime[] = [];
    for (const owner of ['w1', 'w2', 'w3']) {
      const wf = referenceWorkflow({
        hooks: {
          before: async (step, _input, _signal, ctx) => {
            if (holding) {
              parked++;
              await gate;
            }
            await direct.query(
              `INSERT INTO ${schema}.executions (run_id, step, worker, started_at) VALUES ($1, $2, $3, $4)`,
              [ctx.runId, step, owner, Date.now()],
            );
            await direct.query(
              `INSERT INTO ${schema}.effects (key, worker) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
              [`${ctx.runId}:${step}`, owner],
            );
            await new Promise((r) => setTimeout(r, 5));
          },
        },
      });
      const store = postgresStore({
        connectionString: proxy.url(POSTGRES_URL),
        schema,
        poolSize: 4,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        queryTimeoutMs: QUERY_TIMEOUT_MS,
        keepAliveMs: 1000,
      });
      const rt = createRuntime({
        store: observing(store, seen),
        workflows: [wf],
        owner,
        resume: false,
        leaseMs: LEASE_MS,
        pollMs: POLL_MS,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
      workers.push(rt);
      cleanups.push(() => rt.close());
      await rt.ready();
    }
    for (const rt of workers) rt.startWorker({ concurrency: 8 });

    const completed = async () =>
      Number(
        (
          await adminQuery<{ n: string }>(
            `SELECT count(*) AS n FROM ${schema}.runs WHERE status = 'completed'`,
          )
        )[0]?.n,
      );
    const atLeast = (n: number) =>
      until(`${n} runs completed`, async () => (await completed()) >= n, RECOVERY_MS * 4);

    // 1. Reset every connection while queries are in flight.
    await atLeast(10);
    expect(proxy.resetAll()).toBeGreaterThan(0);
    // 2. Lose five acknowledgements: the server commits, the worker never hears it.
    await atLeast(25);
    proxy.armReset('reply', 5);
    // 3. A half-open partition, held until a worker's query has timed out on it.
    await atLeast(40);
    holding = true;
    await until('agent calls held at the gate', () => parked >= 3, RECOVERY_MS);
    proxy.mode('stall');
    openGate();
    await until(
      'a query to time out during the stall',
      () => seen.failures.some((m) => m.includes('queryTimeoutMs')),
      QUERY_TIMEOUT_MS * 4 + RECOVERY_MS,
    );
    proxy.mode({ delayMs: 15 });
    // 4. Refuse new connections: reset the open ones so the pools must reconnect.
    await atLeast(60);
    proxy.mode('drop');
    proxy.resetAll();
    await until('three refused connections', () => proxy.stats.dropped >= 3, RECOVERY_MS);
    proxy.mode('pass');
    await until(
      'every run completed',
      async () => (await completed()) === apps.size,
      RECOVERY_MS * 3,
    );

    for (const rt of workers) await rt.close();
    const ledger = await readLedger(schema);
    const { problems } = checkRuns(ledger, apps);
    expect(problems).toEqual([]);
    // Each committed step's side effect happened exactly once (by its idempotency key), and
    // no step was executed again after its version was committed (checkRuns above).
    const effects = await adminQuery<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.effects`);
    expect(Number(effects[0]?.n)).toBe(apps.size * STEPS.length);
    // No acknowledged version lost, and each is the very version that was acknowledged.
    expect(seen.acknowledged.size).toBeGreaterThan(apps.size);
    for (const [key, hash] of seen.acknowledged) {
      const [runId, version] = key.split('@') as [string, string];
      const stored = ledger.versions.get(runId)?.[Number(version) - 1];
      expect(stored?.hash, key).toBe(hash);
    }
    // The faults really happened, and every one surfaced as a retryable StoreUnavailableError.
    expect(seen.failures.filter((m) => !m.startsWith('STORE_UNAVAILABLE: '))).toEqual([]);
    expect(proxy.stats.reset).toBeGreaterThan(5);
    expect(seen.failures.some((m) => m.includes('did not answer within queryTimeoutMs'))).toBe(
      true,
    );
    const verifier = createRuntime({
      store: postgresStore({ connectionString: POSTGRES_URL, schema }),
      workflows: [],
      resume: false,
    });
    cleanups.push(() => verifier.close());
    for (const runId of apps.keys()) expect((await verifier.verify(runId)).ok, runId).toBe(true);
  }, 180_000);
});
