/**
 * Parent side of the worker tests: spawning worker processes, collecting their reports,
 * preparing a schema with queued runs, and checking every run against the oracle.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { createRuntime } from '../../src/index.js';
import type { VersionRecord } from '../../src/ledger/types.js';
import { verifyChain } from '../../src/ledger/versions.js';
import { type App, oracle } from '../orchestrator/fixtures.js';
import { adminQuery, POSTGRES_URL } from '../postgres/pg-admin.js';
import type { WorkerConfig, WorkerReport } from './worker-process.js';
import { executionsDdl, STEPS, workerWorkflow } from './workload.js';

const FIXTURE = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/** A running worker process and what it reported. */
export interface WorkerProcess {
  readonly owner: string;
  readonly child: ChildProcess;
  readonly reports: WorkerReport[];
  /** Resolves with the first report matching `match` (already received or future). */
  until(match: (r: WorkerReport) => boolean): Promise<WorkerReport>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  stderr(): string;
}

/** Starts a worker process; resolves once it reports `ready`. */
export async function startWorker(
  config: Omit<WorkerConfig, 'url'> & { url?: string },
  /** Extra Node flags for the worker (e.g. `--cpu-prof` for a profile). */
  nodeArgs: readonly string[] = [],
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', FIXTURE, JSON.stringify({ url: POSTGRES_URL, ...config })],
    { stdio: [config.gate ? 'pipe' : 'ignore', 'pipe', 'pipe'] },
  );
  const reports: WorkerReport[] = [];
  const waiters: { match: (r: WorkerReport) => boolean; resolve: (r: WorkerReport) => void }[] = [];
  let err = '';
  let buffer = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
      if (!line.startsWith('{')) continue;
      const r = JSON.parse(line) as WorkerReport;
      reports.push(r);
      for (const w of [...waiters]) {
        if (w.match(r)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
    }
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const until = (match: (r: WorkerReport) => boolean) =>
    new Promise<WorkerReport>((resolve, reject) => {
      const seen = reports.find(match);
      if (seen) return resolve(seen);
      waiters.push({ match, resolve });
      void exited.then((code) =>
        reject(new Error(`worker ${config.owner} exited (${code}) before reporting: ${err}`)),
      );
    });
  const w: WorkerProcess = {
    owner: config.owner,
    child,
    reports,
    until,
    exited,
    stderr: () => err,
  };
  await until((r) => r.type === 'ready');
  return w;
}

/** Creates the schema (migrated, with the executions table) and queues `apps` as runs. */
export async function queueRuns(schema: string, apps: readonly App[]): Promise<Map<string, App>> {
  const store = postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 8 });
  const rt = createRuntime({ store, workflows: [], resume: false });
  try {
    await rt.ready();
    await adminQuery(executionsDdl(schema));
    const wf = workerWorkflow({ ioMs: 0 });
    const byRun = new Map<string, App>();
    for (let i = 0; i < apps.length; i += 100) {
      const chunk = apps.slice(i, i + 100);
      const handles = await Promise.all(chunk.map((a) => rt.submit(wf, a)));
      for (const [j, h] of handles.entries()) byRun.set(h.id, chunk[j]!);
    }
    return byRun;
  } finally {
    await rt.close();
  }
}

/** Polls a count until `done` holds; a bounded wait on an observed condition. */
export async function untilCount(
  sql: string,
  values: unknown[],
  done: (n: number) => boolean,
  maxMs = 90_000,
): Promise<number> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const [row] = await adminQuery<{ n: string }>(sql, values);
    const n = Number(row?.n ?? 0);
    if (done(n)) return n;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${sql} is still ${n}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One (run, step) execution as recorded by the agents. */
export interface Execution {
  readonly runId: string;
  readonly step: string;
  readonly worker: string;
  readonly startedAt: number;
}

/** Everything the oracle checks need from a schema, read in bulk. */
export interface Ledger {
  readonly runs: Map<string, { status: string; output: unknown; leaseOwner: string | null }>;
  readonly versions: Map<string, VersionRecord[]>;
  readonly executions: Execution[];
}

/** Reads runs, versions and executions of a schema. */
export async function readLedger(schema: string): Promise<Ledger> {
  const store = postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 });
  await store.migrate();
  try {
    const runs = new Map<string, { status: string; output: unknown; leaseOwner: string | null }>();
    for (const r of await store.listRuns({}))
      runs.set(r.runId, { status: r.status, output: r.output, leaseOwner: r.leaseOwner });
    const versions = new Map<string, VersionRecord[]>();
    await Promise.all(
      [...runs.keys()].map(async (id) => versions.set(id, await store.readVersions(id))),
    );
    const rows = await adminQuery<{
      run_id: string;
      step: string;
      worker: string;
      started_at: string;
    }>(`SELECT run_id, step, worker, started_at FROM ${schema}.executions ORDER BY id`);
    const executions = rows.map((r) => ({
      runId: r.run_id,
      step: r.step,
      worker: r.worker,
      startedAt: Number(r.started_at),
    }));
    return { runs, versions, executions };
  } finally {
    await store.close();
  }
}

/**
 * Checks every run: completed with the oracle's answer, versions 1..6 with one version per step,
 * hash chain verified, and no agent execution of a step that started after its version was
 * committed. Returns a list of problems (empty when all is well) and the execution counts.
 */
export function checkRuns(
  ledger: Ledger,
  apps: ReadonlyMap<string, App>,
): { problems: string[]; executionsPerStep: Map<string, Execution[]> } {
  const problems: string[] = [];
  const perStep = new Map<string, Execution[]>();
  for (const e of ledger.executions) {
    const key = `${e.runId}/${e.step}`;
    const list = perStep.get(key) ?? [];
    if (list.length === 0) perStep.set(key, list);
    list.push(e);
  }
  for (const [runId, app] of apps) {
    const run = ledger.runs.get(runId);
    if (!run) {
      problems.push(`${runId}: missing`);
      continue;
    }
    if (run.status !== 'completed') problems.push(`${runId}: status ${run.status}`);
    if (JSON.stringify(run.output) !== JSON.stringify(oracle(app)))
      problems.push(
        `${runId}: output ${JSON.stringify(run.output)}, oracle ${JSON.stringify(oracle(app))}`,
      );
    const versions = ledger.versions.get(runId) ?? [];
    const numbers = versions.map((v) => v.version).join(',');
    if (numbers !== '1,2,3,4,5,6') problems.push(`${runId}: versions ${numbers}`);
    const steps = versions
      .slice(1)
      .map((v) => v.step)
      .sort()
      .join(',');
    if (steps !== [...STEPS].sort().join(',')) problems.push(`${runId}: steps ${steps}`);
    const verified = verifyChain(versions, 6);
    if (!verified.ok) problems.push(`${runId}: chain broken at ${verified.brokenAt}`);
    for (const v of versions.slice(1)) {
      const runs = perStep.get(`${runId}/${v.step}`) ?? [];
      if (runs.length === 0) problems.push(`${runId}/${v.step}: committed but never executed`);
      for (const e of runs) {
        if (e.startedAt > v.createdAt)
          problems.push(`${runId}/${v.step}: executed by ${e.worker} after its version committed`);
      }
    }
  }
  return { problems, executionsPerStep: perStep };
}
