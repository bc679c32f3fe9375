/**
 * One measurement of the Mastra comparison in its own Node 24 process:
 * `<node 24> <install>/js/bench/mastra/child.js '<MastraSpec JSON>'` (bench/mastra.ts builds the
 * install and the transpiled tree). Prints one `MASTRA_RESULT_MARKER` line with a
 * `MastraChildResult`; exits non-zero, loudly, when any decision differs from the oracle or a
 * durable file lacks runs.
 *
 * Invariants:
 * - Only the pool of runs is timed; building the implementation, warming up and every check
 *   happen outside it.
 * - Every decision of the warm-up and of the timed runs is checked against the oracle.
 * - The temporary directory holding the SQLite file is removed whatever happens.
 */
import { join } from 'node:path';
import { runChildMain } from '../child-main.js';
import type { BenchImpl, ImplOptions } from '../impl.js';
import {
  type Decision,
  generateApplications,
  runPool,
  STEPS_PER_RUN,
  verifyDecisions,
} from '../workload.js';
import { MASTRA_RESULT_MARKER, type MastraChildResult, type MastraSpec } from './spec.js';

async function loadImpl(spec: MastraSpec, options: ImplOptions): Promise<BenchImpl> {
  if (spec.impl === 'baton') return (await import('../baton.js')).createBatonImpl(options);
  if (spec.impl === 'mastra') {
    const { createMastraImpl } = await import('./mastra-impl.js');
    return createMastraImpl(
      options,
      spec.mastraSynchronous === undefined ? {} : { synchronous: spec.mastraSynchronous },
    );
  }
  throw new TypeError(`not an implementation: '${String(spec.impl)}'`);
}

async function measure(spec: MastraSpec, dir: string): Promise<MastraChildResult> {
  const apps = generateApplications(spec.seed, spec.runs);
  const warm = generateApplications(spec.seed + 1, spec.warmup);
  const decisions = new Array<Decision | undefined>(spec.runs);
  const warmDecisions = new Array<Decision | undefined>(spec.warmup);
  const dbPath = spec.store === 'sqlite' ? join(dir, `${spec.impl}.db`) : null;
  const impl = await loadImpl(spec, { mode: spec.mode, dbPath });

  // Warm-up ids follow the timed ones, so every run has its own id.
  await runPool(warm.length, spec.inFlight, async (i) => {
    warmDecisions[i] = await impl.run(warm[i]!, spec.runs + i);
  });
  verifyDecisions(`${spec.line}/${spec.impl} warm-up`, warm, warmDecisions);

  const t0 = performance.now();
  const deadline = spec.budgetMs === null ? Number.POSITIVE_INFINITY : t0 + spec.budgetMs;
  const runs = await runPool(
    apps.length,
    spec.inFlight,
    async (i) => {
      decisions[i] = await impl.run(apps[i]!, i);
    },
    () => performance.now() > deadline,
  );
  const wallMs = performance.now() - t0;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const heapUsedBytes = process.memoryUsage().heapUsed;
  await impl.close();

  const bad = spec.corruptRun === undefined ? undefined : decisions[spec.corruptRun];
  if (bad !== undefined) decisions[spec.corruptRun!] = { ...bad, check: bad.check + 1 };
  verifyDecisions(`${spec.line}/${spec.impl}`, apps.slice(0, runs), decisions.slice(0, runs));
  let checked = `${runs + spec.warmup} decisions equal the oracle`;
  if (dbPath !== null) {
    if (!impl.verifyStored) throw new Error(`${impl.label}: durable line without a file check`);
    impl.verifyStored(dbPath, runs + spec.warmup);
    checked += `; ${runs + spec.warmup} runs found in the file`;
  }
  return {
    line: spec.line,
    impl: spec.impl,
    label: impl.label,
    node: process.version,
    runs,
    wallMs,
    runsPerSec: runs / (wallMs / 1000),
    usPerStep: (wallMs * 1000) / (runs * STEPS_PER_RUN),
    peakRssBytes,
    heapUsedBytes,
    checked,
  };
}

runChildMain<MastraSpec, MastraChildResult>('mastra bench child', MASTRA_RESULT_MARKER, measure);
