/**
 * Experiment 5's measurements: applications arrive at a steady rate while fraud detection goes
 * hard down for a while (its calls hang until their 150 ms timeout), once with the demo's fraud
 * breaker and once with the breaker switched off for the fraud step. Every call that reaches the
 * fraud service is timestamped by the fault hook; breaker transitions come from the store.
 * Real time drives the timeline (the outage, timeouts, the breaker's reset), so it is repeated.
 */
import { join } from 'node:path';
import type { BreakerTransition } from 'baton-runtime';
import type { Application } from '../../../examples/credit-decisioning/domain/contracts.js';
import {
  createFaults,
  FAULT_PRESETS,
  type Faults,
} from '../../../examples/credit-decisioning/system/faults.js';
import { creditWorkflow, openCreditSystem } from '../credit.js';

/** The outage timeline, in ms from the first arrival. */
export interface Timeline {
  readonly durationMs: number;
  readonly arrivalEveryMs: number;
  readonly outageFromMs: number;
  readonly outageToMs: number;
}

/** One call that reached the fraud service. */
export interface FraudCall {
  readonly atMs: number;
  readonly dead: boolean;
  /** How long the call held its caller (a dead call: until its timeout). */
  readonly heldMs: number;
}

/** What one variant did over the timeline. */
export interface OutageRun {
  readonly breaker: boolean;
  readonly calls: readonly FraudCall[];
  readonly transitions: readonly { readonly atMs: number; readonly to: string }[];
  readonly runs: number;
  readonly failedRuns: number;
  /** First successful fraud call after the outage ended, ms after its end. */
  readonly recoveryMs: number | null;
}

const hang = (signal: AbortSignal): Promise<void> =>
  new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/** Runs the timeline once on a new file. */
export async function runOutage(
  dir: string,
  apps: readonly Application[],
  t: Timeline,
  breaker: boolean,
  seed: number,
  label: string,
): Promise<OutageRun> {
  const base = createFaults(FAULT_PRESETS.off, seed);
  const calls: FraudCall[] = [];
  let start = Number.POSITIVE_INFINITY;
  const faults: Faults = {
    stats: base.stats,
    async before(site, applicantId, attempt, signal) {
      await base.before(site, applicantId, attempt, signal);
      if (site !== 'fraud') return;
      const at = Date.now() - start;
      const dead = at >= t.outageFromMs && at < t.outageToMs;
      if (!dead) return void calls.push({ atMs: at, dead, heldMs: 0 });
      try {
        await hang(signal);
      } finally {
        calls.push({ atMs: at, dead, heldMs: Date.now() - start - at });
      }
    },
  };
  const sys = await openCreditSystem(join(dir, `outage-${label}.db`), faults, (deps) => ({
    wf: creditWorkflow(deps, breaker ? {} : { policies: { fraud: { breaker: false } } }),
  }));
  try {
    start = Date.now();
    const ended: Promise<unknown>[] = [];
    const ids: string[] = [];
    for (let i = 0; ; i++) {
      const due = start + i * t.arrivalEveryMs;
      if (due - start >= t.durationMs) break;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const app = apps[i % apps.length] as Application;
      const h = await sys.rt.start(sys.workflows.wf, app);
      ids.push(h.id);
      ended.push(h.result().catch(() => undefined));
    }
    await Promise.all(ended);
    const stored = await Promise.all(ids.map((id) => sys.rt.getRun(id)));
    const transitions = (await sys.store.queryRecords({ kind: 'breaker' }))
      .map((r) => r.body as unknown as BreakerTransition)
      .filter((x) => x.breaker.startsWith('fraud-detection@'))
      .map((x) => ({ atMs: x.at - start, to: x.to }));
    const recovered = calls.filter((c) => !c.dead && c.atMs >= t.outageToMs).map((c) => c.atMs);
    return {
      breaker,
      calls: calls.sort((a, b) => a.atMs - b.atMs),
      transitions,
      runs: ids.length,
      failedRuns: stored.filter((r) => r.status === 'failed').length,
      recoveryMs: recovered.length > 0 ? Math.min(...recovered) - t.outageToMs : null,
    };
  } finally {
    await sys.close();
  }
}
