/**
 * Experiment 2's measurements: the same agent run for L steps per run (L = 10, 100, 1,000),
 * three ways on the same database:
 * - `Baton runtime`: a workflow of L chained steps on `createRuntime` — everything a user pays
 *   per step (contracts, journal, versions, hash chain);
 * - `Baton versions`: only the ledger — each step's output hashed into a new version and
 *   appended by compare-and-append (`StateStore.commit`), no orchestration;
 * - `mutable record`: the agent's output written over one record per run, under a lock.
 * Runs go one at a time, so µs/step is the latency of a step. Then the time to read a version
 * from the middle of the longest run, first from a fresh runtime (nothing cached) and again.
 */
import { agent, createRuntime, type StateStore, type Workflow, workflow } from 'baton-runtime';
import { nextVersion, sampleRun } from 'baton-runtime/testing';
import type { Application as App } from '../../../examples/credit-decisioning/domain/contracts.js';
import { generateApplications } from '../../../examples/credit-decisioning/domain/generate.js';
import { creditScore } from '../../../examples/credit-decisioning/domain/logic.js';
import { Application, CreditScore } from '../../../examples/credit-decisioning/system/contracts.js';
import { stopwatch } from '../stats.js';
import type { Row } from '../types.js';
import type { Backend, Bytes } from './backends.js';

/** The credit-score agent: the demo's scoring logic, contract-checked on both sides. */
const scoreAgent = agent({
  name: 'credit-score',
  version: '1.0.0',
  input: Application,
  output: CreditScore,
  execute: (app) => creditScore(app),
});

type View = Readonly<Record<string, unknown>>;
interface LooseBuilder {
  step(
    name: string,
    a: typeof scoreAgent,
    o: { needs?: readonly string[]; input: (s: View) => unknown },
  ): LooseBuilder;
  output(select: (s: View) => unknown): Workflow<App, unknown>;
}

/** A workflow of `length` chained steps, each scoring the application again. */
export function longRun(length: number): Workflow<App, unknown> {
  let b = workflow(`long-run-${length}`, {
    version: 1,
    input: Application,
  }) as unknown as LooseBuilder;
  for (let i = 0; i < length; i++) {
    b = b.step(`s${i}`, scoreAgent, {
      ...(i > 0 ? { needs: [`s${i - 1}`] } : {}),
      input: (s) => s.input,
    });
  }
  return b.output((s) => s[`s${length - 1}`]);
}

/** One measurement of one design at one run length. */
export interface VersioningPoint {
  readonly backend: string;
  readonly design: 'Baton runtime' | 'Baton versions' | 'mutable record';
  readonly length: number;
  readonly runs: number;
  readonly usPerStep: number;
  /** CPU time of this process per step (the PostgreSQL server's is not counted). */
  readonly cpuUsPerStep: number;
  /** Bytes of the rows a run leaves (see ./backends.ts). */
  readonly bytesPerRun: number;
  /** Growth of the files or relations per run, page-granular. */
  readonly diskBytesPerRun: number;
}

const us = (ms: number, steps: number): number => (1000 * ms) / steps;
const minus = (a: Bytes, b: Bytes): Bytes => ({
  logical: a.logical - b.logical,
  disk: a.disk - b.disk,
});

async function batonRuntime(b: Backend, label: string, length: number, apps: readonly App[]) {
  const wf = longRun(length);
  const rt = createRuntime({ store: b.store(label), workflows: [wf] });
  await rt.ready();
  const empty = await b.storeBytes(label);
  const stop = stopwatch();
  const ids: string[] = [];
  for (const app of apps) {
    const h = await rt.start(wf, app);
    await h.result();
    ids.push(h.id);
  }
  const { wallMs: ms, cpuMs } = stop();
  await rt.close();
  return { ms, cpuMs, bytes: minus(await b.storeBytes(label), empty), ids };
}

async function batonVersions(b: Backend, label: string, length: number, apps: readonly App[]) {
  const store: StateStore = b.store(label);
  await store.migrate();
  const empty = await b.storeBytes(label);
  const stop = stopwatch();
  for (const [r, app] of apps.entries()) {
    const init = sampleRun(`${label}-${r}`, { input: app as never });
    await store.createRun(init);
    let head = init.firstVersion;
    for (let i = 0; i < length; i++) {
      const v = nextVersion(head, `s${i}`, creditScore(app) as never, 'credit-score@1.0.0');
      const [o] = await store.commit([
        { runId: head.runId, expectedVersion: head.version, versions: [v] },
      ]);
      if (!o?.ok) throw o?.error ?? new Error('append failed');
      head = v;
    }
  }
  const { wallMs: ms, cpuMs } = stop();
  await store.close();
  return { ms, cpuMs, bytes: minus(await b.storeBytes(label), empty) };
}

async function mutable(b: Backend, label: string, length: number, apps: readonly App[]) {
  const records = await b.records(label);
  const empty = await records.bytes();
  const stop = stopwatch();
  for (const [r, app] of apps.entries()) {
    const id = `${label}-${r}`;
    await records.create(id, JSON.stringify({ input: app }));
    for (let i = 0; i < length; i++) {
      await records.update(id, (current) => {
        const state = JSON.parse(current) as { input: App };
        return JSON.stringify({
          input: state.input,
          score: creditScore(state.input),
          step: `s${i}`,
        });
      });
    }
  }
  const { wallMs: ms, cpuMs } = stop();
  const bytes = minus(await records.bytes(), empty);
  await records.close();
  return { ms, cpuMs, bytes };
}

/** Measures the three designs at one run length; returns the runtime's run ids for the read test. */
export async function measureLength(
  b: Backend,
  length: number,
  runs: number,
  rep: number,
  seed: number,
): Promise<{ points: VersioningPoint[]; runIds: string[]; label: string }> {
  const apps = generateApplications(runs, seed);
  const label = `l${length}_r${rep}`;
  const steps = runs * length;
  const rt = await batonRuntime(b, `${label}_rt`, length, apps);
  const vs = await batonVersions(b, `${label}_vs`, length, apps);
  const mu = await mutable(b, `${label}_mu`, length, apps);
  const point = (
    design: VersioningPoint['design'],
    m: { ms: number; cpuMs: number; bytes: Bytes },
  ): VersioningPoint => ({
    backend: b.name,
    design,
    length,
    runs,
    usPerStep: us(m.ms, steps),
    cpuUsPerStep: us(m.cpuMs, steps),
    bytesPerRun: m.bytes.logical / runs,
    diskBytesPerRun: m.bytes.disk / runs,
  });
  return {
    points: [point('Baton runtime', rt), point('Baton versions', vs), point('mutable record', mu)],
    runIds: rt.ids,
    label: `${label}_rt`,
  };
}

/**
 * Time to read version `v` of a long run through `rt.state`: first from a fresh runtime (nothing
 * cached; one runtime per version read, so no read warms another), then the same read again.
 */
export async function measureRead(
  b: Backend,
  label: string,
  runId: string,
  length: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const v of [2, Math.floor(length / 2), length + 1]) {
    const rt = createRuntime({
      store: b.store(label),
      workflows: [longRun(length)],
      resume: false,
    });
    try {
      await rt.ready();
      const t0 = performance.now();
      const cold = await rt.state(runId, v);
      const t1 = performance.now();
      await rt.state(runId, v);
      const t2 = performance.now();
      if (cold.version !== v) throw new Error(`read version ${cold.version}, wanted ${v}`);
      rows.push({
        backend: b.name,
        length,
        version: v,
        firstReadMs: t1 - t0,
        cachedReadMs: t2 - t1,
      });
    } finally {
      await rt.close();
    }
  }
  return rows;
}
