/**
 * Composition and time figures:
 * 1. fan-out of N trivial children (`.map`, memory store): child runs per second and peak RSS;
 * 2. cost of a child-workflow step against a plain agent step doing the same work (memory store,
 *    runs/s of a one-step workflow each way, interleaved rounds, median);
 * 3. schedule tick lateness at a 1 s period (SQLite file, real clock): how long after its tick
 *    time each run was created, median and p95.
 *
 *   npx tsx bench/composition.ts [children=10000] [runs=2000] [ticks=20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  memoryStore,
  sqliteStore,
  workflow,
} from '../src/index.js';

const [childrenArg, runsArg, ticksArg] = process.argv.slice(2);
const CHILDREN = Number(childrenArg ?? 10_000);
const RUNS = Number(runsArg ?? 2000);
const TICKS = Number(ticksArg ?? 20);

const Num = contract('bench.num@1', z.object({ n: z.number() }));
const Nums = contract('bench.nums@1', z.object({ count: z.number() }));
const inc = agent({
  name: 'bench-inc',
  version: '1.0.0',
  input: Num,
  output: Num,
  execute: (x) => ({ n: x.n + 1 }),
});
const child = workflow('bench-child', { version: 1, input: Num })
  .step('inc', inc, { input: (s) => s.input })
  .output((s) => s.inc);
const fanOut = workflow('bench-fan-out', { version: 1, input: Nums })
  .map('each', child, {
    input: (s) => Array.from({ length: s.input.count }, (_, n) => ({ n })),
    concurrency: 256,
  })
  .output((s) => s.each.length);
const viaChild = workflow('bench-via-child', { version: 1, input: Num })
  .step('inc', child, { input: (s) => s.input })
  .output((s) => s.inc);
const viaAgent = workflow('bench-via-agent', { version: 1, input: Num })
  .step('inc', inc, { input: (s) => s.input })
  .output((s) => s.inc);

const mib = (b: number) => Math.round(b / 1024 / 1024);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function fanOutFigures(): Promise<void> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const rt = createRuntime({ store: memoryStore(), concurrency: 2000 });
  const t0 = performance.now();
  const run = await rt.start(fanOut, { count: CHILDREN });
  const out = await run.result();
  const secs = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (out !== CHILDREN) throw new Error(`expected ${CHILDREN} outputs, got ${String(out)}`);
  console.log(
    `fan-out: ${CHILDREN} children in ${secs.toFixed(2)} s = ${Math.round(CHILDREN / secs)} child runs/s; peak RSS ${mib(peak)} MiB`,
  );
  await rt.close();
}

async function runsPerSec(wf: typeof viaChild | typeof viaAgent): Promise<number> {
  // A parent waiting on its child holds a run slot: leave room for every parent and child.
  const rt = createRuntime({ store: memoryStore(), concurrency: 2 * RUNS + 16 });
  const t0 = performance.now();
  const handles = await Promise.all(Array.from({ length: RUNS }, (_, n) => rt.start(wf, { n })));
  await Promise.all(handles.map((h) => h.result()));
  const rate = RUNS / ((performance.now() - t0) / 1000);
  await rt.close();
  return rate;
}

async function overheadFigures(): Promise<void> {
  const child: number[] = [];
  const plain: number[] = [];
  for (let round = 0; round < 5; round++) {
    plain.push(await runsPerSec(viaAgent));
    child.push(await runsPerSec(viaChild));
  }
  const a = median(plain);
  const c = median(child);
  console.log(
    `child step vs agent step: ${Math.round(a)} runs/s with an agent step, ${Math.round(c)} with a child-workflow step: ${(a / c).toFixed(2)}x the cost (a child step is a whole run more: its own versions, journal and lease)`,
  );
}

async function lateness(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-sched-'));
  try {
    const rt = createRuntime({ store: sqliteStore(join(dir, 'sched.db')), workflows: [viaAgent] });
    await rt.schedule('bench-tick', viaAgent, { everyMs: 1000, input: { n: 1 } });
    const startedAt = Date.now();
    for (;;) {
      const runs = await rt.listRuns({ where: { 'baton.schedule': 'bench-tick' } });
      if (runs.length >= TICKS) break;
      await new Promise((r) => setTimeout(r, 200));
      if (Date.now() - startedAt > (TICKS + 10) * 1000) throw new Error('ticks did not arrive');
    }
    const runs = await rt.listRuns({ where: { 'baton.schedule': 'bench-tick' } });
    const late = runs.map((r) => r.createdAt - Number(r.runId.slice('sched.bench-tick.'.length)));
    console.log(
      `schedule ticks at 1 s: ${late.length} ticks, lateness median ${median(late)} ms, p95 ${pct(late, 0.95)} ms`,
    );
    await rt.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await fanOutFigures();
await overheadFigures();
await lateness();
