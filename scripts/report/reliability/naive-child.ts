/**
 * The naive system's worker process for the crash: it decides its batch of applications the
 * naive way on the shared database file until the parent kills it with SIGKILL
 * (./naive-crash.ts). Like the demo's Baton worker (system/worker.ts) it tells the parent once
 * it is in the middle of its work, at its 40th remote call.
 */
import { generateApplications } from '../../../examples/credit-decisioning/domain/generate.js';
import {
  createFaults,
  FAULT_PRESETS,
  type FaultLevel,
  type Faults,
} from '../../../examples/credit-decisioning/system/faults.js';
import { runNaivePipeline } from './naive-pipeline.js';

/** What the parent passes (JSON in argv[2]). */
export interface NaiveChildConfig {
  readonly dbPath: string;
  readonly applications: number;
  readonly batch: number;
  readonly seed: number;
  readonly faults: FaultLevel;
  readonly cacheTtlMs: number;
  readonly rewriteShare: number;
  readonly concurrency: number;
  readonly signalAfterCalls: number;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '') as NaiveChildConfig;
  const send = process.send?.bind(process);
  if (!send) throw new Error('the naive child must be started with an IPC channel');
  process.on('disconnect', () => process.exit(2));
  // The fraud outage belongs to the parent's timeline, as in the demo's worker.
  const base = createFaults({ ...FAULT_PRESETS[cfg.faults], fraudOutage: null }, cfg.seed);
  let calls = 0;
  const faults: Faults = {
    stats: base.stats,
    async before(site, applicantId, attempt, signal) {
      if (++calls === cfg.signalAfterCalls) send({ type: 'holding', calls });
      await base.before(site, applicantId, attempt, signal);
    },
  };
  const apps = generateApplications(cfg.applications, cfg.seed).slice(0, cfg.batch);
  await runNaivePipeline({ ...cfg, apps, faults });
  send({ type: 'done' });
}

await main();
