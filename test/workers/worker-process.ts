/**
 * A worker process for the worker tests and the workers benchmark: a runtime on a PostgreSQL
 * schema in worker mode, claiming queued and orphaned runs of the reference workload.
 *
 * argv[2] is a JSON `WorkerConfig`. Reports go to stdout as JSON lines:
 * `ready`, `claimed` (run ids, time), `commit` (run id, ok or error code, when it was sent),
 * `renew-lost` (run ids), `claiming-stopped` (on SIGTERM: the runs it still holds), `drained`
 * (after `worker.drain()`; then exit 0).
 */
import pg from 'pg';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { createRuntime, type StateStore } from '../../src/index.js';
import { workerWorkflow } from './workload.js';

/** How the parent configures a worker. */
export interface WorkerConfig {
  readonly url: string;
  readonly schema: string;
  readonly owner: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly ioMs: number;
  /** Record every agent execution in `<schema>.executions`. */
  readonly record: boolean;
  /** Report claims, commits and lost renewals on stdout. */
  readonly report: boolean;
  /** Wait for a line on stdin before claiming (benchmarks start every worker at once). */
  readonly gate?: boolean;
  /** Count round trips and statements sent to PostgreSQL; reported as `queries` on drain. */
  readonly countQueries?: boolean;
}

/** One report line. */
export type WorkerReport =
  | { readonly type: 'ready'; readonly owner: string }
  | { readonly type: 'claimed'; readonly runIds: string[]; readonly at: number }
  | {
      readonly type: 'commit';
      readonly runId: string;
      readonly ok: boolean;
      readonly code: string | null;
      readonly sentAt: number;
    }
  | { readonly type: 'renew-lost'; readonly runIds: string[]; readonly at: number }
  | { readonly type: 'claiming-stopped'; readonly held: string[] }
  | { readonly type: 'drained'; readonly active: number }
  | {
      readonly type: 'queries';
      /** Client round trips (one `client.query` each, whatever it holds). */
      readonly roundTrips: number;
      /** Statements, by their first words (a simple-protocol query may hold several). */
      readonly statements: Record<string, number>;
    };

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;

/** The first words of each statement of `text`, a key for counting. */
function statementKeys(text: string): string[] {
  return text
    .split(';')
    .map((t) => t.trim().replace(/\s+/g, ' ').slice(0, 48))
    .filter((t) => t.length > 0);
}

/** Counts what every pg client of this process sends (the store's pool included). */
function countQueries(): () => WorkerReport {
  const statements: Record<string, number> = {};
  let roundTrips = 0;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : (q as { text?: string } | undefined)?.text;
    if (typeof text === 'string') {
      roundTrips++;
      for (const k of statementKeys(text)) statements[k] = (statements[k] ?? 0) + 1;
    }
    return original.apply(this, args);
  };
  return () => ({ type: 'queries', roundTrips, statements });
}

function report(r: WorkerReport): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

/** Wraps a store to report claims, commit outcomes and lost renewals (fencing evidence). */
function reporting(store: StateStore): StateStore {
  const overrides: Partial<StateStore> = {
    claimRuns: async (req) => {
      const runs = await store.claimRuns(req);
      if (runs.length)
        report({ type: 'claimed', runIds: runs.map((r) => r.runId), at: Date.now() });
      return runs;
    },
    commit: async (writes) => {
      const sentAt = Date.now();
      const outcomes = await store.commit(writes);
      writes.forEach((w, i) => {
        const o = outcomes[i];
        const code = o && !o.ok ? ((o.error as { code?: string }).code ?? o.error.name) : null;
        report({ type: 'commit', runId: w.runId, ok: Boolean(o?.ok), code, sentAt });
      });
      return outcomes;
    },
    renewLeases: async (owner, runIds, expiresAt) => {
      const held = await store.renewLeases(owner, runIds, expiresAt);
      const lost = runIds.filter((id) => !held.includes(id));
      if (lost.length) report({ type: 'renew-lost', runIds: lost, at: Date.now() });
      return held;
    },
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const own = (overrides as Record<PropertyKey, unknown>)[prop];
      if (own !== undefined) return own;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function main(): Promise<void> {
  const counted = config.countQueries ? countQueries() : undefined;
  const base = postgresStore({ connectionString: config.url, schema: config.schema, poolSize: 6 });
  const store = config.report ? reporting(base) : base;
  const pool = config.record
    ? new pg.Pool({ connectionString: config.url, max: 4 }).on('error', () => {})
    : undefined;
  const wf = workerWorkflow({
    ioMs: config.ioMs,
    ...(pool ? { record: { pool, schema: config.schema, worker: config.owner } } : {}),
  });
  const rt = createRuntime({
    store,
    workflows: [wf],
    owner: config.owner,
    // Claims start with startWorker(), not at ready(): a gated worker must not work early.
    resume: false,
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    logger: {
      debug: () => {},
      info: () => {},
      warn: (m, f) => process.stderr.write(`warn ${m} ${JSON.stringify(f ?? {})}\n`),
      error: (m, f) => process.stderr.write(`error ${m} ${JSON.stringify(f ?? {})}\n`),
    },
  });
  await rt.ready();
  if (config.gate) {
    report({ type: 'ready', owner: config.owner });
    await new Promise((resolve) => process.stdin.once('data', resolve));
  }
  const worker = rt.startWorker({ concurrency: config.concurrency });
  process.on('SIGTERM', () => {
    void (async () => {
      // Every run this worker will still drive is held once claiming has stopped.
      await worker.stopClaiming();
      report({ type: 'claiming-stopped', held: worker.held() });
      await worker.drain();
      const active = worker.active();
      await rt.close();
      await pool?.end();
      if (counted) report(counted());
      report({ type: 'drained', active });
      process.exit(0);
    })();
  });
  if (!config.gate) report({ type: 'ready', owner: worker.owner });
}

main().catch((e: unknown) => {
  process.stderr.write(`worker ${config.owner} failed: ${String(e)}\n`);
  process.exit(1);
});
