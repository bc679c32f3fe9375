/**
 * The worker child: a second Baton runtime on the same SQLite file that claims queued runs and
 * drives them, until the parent kills it with SIGKILL (see ./crash.ts).
 *
 * It tells the parent (IPC) once it is in the middle of its runs: right after an agent call
 * started, so at least that run holds uncommitted work when the kill lands.
 */
import { createRuntime, sqliteStore } from 'baton-runtime';
import { loadExplainer } from './explain.js';
import { createFaults, FAULT_PRESETS, type FaultLevel, type Faults } from './faults.js';
import { openLedger } from './ledger.js';
import { creditWorkflow } from './workflow.js';

/** What the parent passes (as JSON in argv[2]). */
export interface WorkerConfig {
  readonly storePath: string;
  readonly seed: number;
  readonly faults: FaultLevel;
  readonly owner: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  /** Tell the parent "holding runs" at this agent call. */
  readonly signalAfterCalls: number;
}

/** Messages the worker sends its parent. */
export type WorkerMessage = { readonly type: 'holding'; readonly calls: number };

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '') as WorkerConfig;
  const send = process.send?.bind(process);
  if (!send) throw new Error('the worker must be started with an IPC channel');
  // The fraud outage is the parent's (one timeline); the child keeps the other faults.
  const base = createFaults({ ...FAULT_PRESETS[cfg.faults], fraudOutage: null }, cfg.seed);
  let calls = 0;
  const faults: Faults = {
    stats: base.stats,
    async before(site, applicantId, attempt, signal) {
      calls++;
      if (calls === cfg.signalAfterCalls) send({ type: 'holding', calls } satisfies WorkerMessage);
      await base.before(site, applicantId, attempt, signal);
    },
  };
  const ledger = openLedger(cfg.storePath);
  const rt = createRuntime({
    store: sqliteStore(cfg.storePath, { synchronous: 'NORMAL' }),
    workflows: [creditWorkflow({ faults, ledger, explainer: await loadExplainer(process.env) })],
    owner: cfg.owner,
    leaseMs: cfg.leaseMs,
    pollMs: cfg.pollMs,
    concurrency: cfg.concurrency,
  });
  rt.startWorker({ concurrency: cfg.concurrency });
  // An orphaned worker (the parent died) must not keep running.
  process.on('disconnect', () => process.exit(2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
