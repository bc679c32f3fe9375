/**
 * Experiment 3's measurements on the reference system's agents (final approval books a credit
 * line; its `compensate` voids it; notify can fail):
 * - overhead: the same workflow with and without final approval's compensator, nothing failing;
 * - time to compensate N completed steps: a run that books N lines, then fails;
 * - throughput when a share of runs compensates (their notification is undeliverable).
 * After every run set, the ledger is checked: no booked line may outlive its run's failure.
 */
import { join } from 'node:path';
import { type Workflow, workflow } from 'baton-runtime';
import type { Application } from '../../../examples/credit-decisioning/domain/contracts.js';
import { generateApplications } from '../../../examples/credit-decisioning/domain/generate.js';
import { assess } from '../../../examples/credit-decisioning/domain/logic.js';
import { createAgents } from '../../../examples/credit-decisioning/system/agents.js';
import { Application as ApplicationContract } from '../../../examples/credit-decisioning/system/contracts.js';
import {
  createFaults,
  type Faults,
  InjectedFault,
} from '../../../examples/credit-decisioning/system/faults.js';
import { checkLedger } from '../../../examples/credit-decisioning/system/ledger-check.js';
import { creditWorkflow, decideAll, NO_FAULTS, openCreditSystem } from '../credit.js';
import { stopwatch } from '../stats.js';
import type { Row } from '../types.js';

/** `count` applications the oracle approves, so every run books a line (and can compensate). */
export function approvedApplications(count: number, seed: number): Application[] {
  const out: Application[] = [];
  for (let n = count * 3; out.length < count; n *= 2) {
    out.length = 0;
    for (const app of generateApplications(n, seed)) {
      if (assess(app).decision.outcome === 'approve') out.push(app);
      if (out.length === count) break;
    }
  }
  return out;
}

/** Runs decided untimed before a timed set. */
const WARM_UP = 50;

/** Runs/s of the workflow with and without compensators, nothing failing, agents pure logic. */
export async function measureOverhead(
  dir: string,
  apps: readonly Application[],
  rep: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  // Alternate which variant goes first, so drift on the machine hits both alike.
  const order = rep % 2 === 0 ? ([true, false] as const) : ([false, true] as const);
  for (const saga of order) {
    const sys = await openCreditSystem(
      join(dir, `overhead-${rep}-${saga}.db`),
      NO_FAULTS,
      (deps) => ({
        wf: creditWorkflow(deps, { compensate: saga }),
      }),
    );
    try {
      // An untimed warm-up, so neither variant pays for the JIT.
      await decideAll(sys.rt, sys.workflows.wf, apps.slice(0, WARM_UP), 64);
      const stop = stopwatch();
      const runs = await decideAll(sys.rt, sys.workflows.wf, apps, 64);
      const { wallMs, cpuMs } = stop();
      const seconds = wallMs / 1000;
      const stored = await Promise.all(runs.map((r) => sys.rt.getRun(r.runId)));
      const completed = stored.filter((r) => r.status === 'completed').length;
      if (completed !== apps.length)
        throw new Error(`overhead: ${completed} of ${apps.length} runs completed`);
      rows.push({
        workflow: saga ? 'with compensators' : 'without compensators',
        rep,
        runs: apps.length,
        runsPerSecond: apps.length / seconds,
        usPerRun: (1e6 * seconds) / apps.length,
        cpuUsPerRun: (1000 * cpuMs) / apps.length,
      });
    } finally {
      await sys.close();
    }
  }
  return rows;
}

type View = Readonly<Record<string, unknown>>;
interface LooseBuilder {
  step(
    name: string,
    a: unknown,
    o: { needs?: readonly string[]; input: (s: View) => unknown; policy?: object },
  ): LooseBuilder;
  output(select: (s: View) => unknown): Workflow<Application, unknown>;
}

/** N final-approval steps in a chain (each books a line under its own key), then notify. */
function bookingChain(
  deps: Parameters<typeof createAgents>[0],
  n: number,
): Workflow<Application, unknown> {
  const a = createAgents(deps);
  let b = workflow(`booking-chain-${n}`, {
    version: 1,
    input: ApplicationContract,
  }) as unknown as LooseBuilder;
  for (let i = 0; i < n; i++) {
    b = b.step(`book${i}`, a.approval, {
      ...(i > 0 ? { needs: [`book${i - 1}`] } : {}),
      input: (s) => {
        const app = s.input as Application;
        const { risk, fraud } = assess(app);
        return { application: app, risk, fraud };
      },
    });
  }
  const last = `book${n - 1}`;
  return b
    .step('notify', a.notify, {
      needs: [last],
      // One attempt: the failure is the point, not the retries before it.
      policy: { retry: { maxAttempts: 1 } },
      input: (s) => {
        const d = s[last] as {
          applicantId: string;
          outcome: 'approve';
          approvedAmount: number;
          rate: number;
        };
        return {
          applicantId: d.applicantId,
          outcome: d.outcome,
          approvedAmount: d.approvedAmount,
          rate: d.rate,
          reviewed: false,
        };
      },
    })
    .output((s) => s.notify);
}

/** Time from the failure to the end of compensation of a run that booked `n` lines. */
export async function measureCompensateN(
  dir: string,
  apps: readonly Application[],
  n: number,
  rep: number,
): Promise<Row[]> {
  const failedAt = new Map<string, number>();
  const faults: Faults = {
    ...NO_FAULTS,
    async before(site, applicantId) {
      if (site !== 'notify') return;
      failedAt.set(applicantId, performance.now());
      throw new InjectedFault(`notify: mailbox of ${applicantId} rejected the message`);
    },
  };
  const sys = await openCreditSystem(join(dir, `chain-${n}-${rep}.db`), faults, (deps) => ({
    wf: bookingChain(deps, n),
  }));
  const rows: Row[] = [];
  try {
    // An untimed warm-up run (the first run of a workflow pays for the JIT).
    const warm = await sys.rt.start(sys.workflows.wf, apps[0] as Application, {
      runId: `warm-up-${n}`,
    });
    await warm.result().catch(() => undefined);
    for (const app of apps) {
      const t0 = performance.now();
      const h = await sys.rt.start(sys.workflows.wf, app);
      await h.result().then(
        () => {
          throw new Error('the booking chain completed, but its notify always fails');
        },
        () => undefined,
      );
      const t1 = performance.now();
      const run = await sys.rt.getRun(h.id);
      const lines = sys.ledger.lines().filter((l) => l.runId === h.id);
      rows.push({
        steps: n,
        rep,
        status: run.status,
        forwardMs: (failedAt.get(app.applicantId) ?? t0) - t0,
        compensateMs: t1 - (failedAt.get(app.applicantId) ?? t1),
        linesBooked: lines.length,
        linesLeftBooked: lines.filter((l) => l.status === 'booked').length,
      });
    }
  } finally {
    await sys.close();
  }
  return rows;
}

/** Throughput of the credit workflow when a share of the runs fails at notify and compensates. */
export async function measureRate(
  dir: string,
  apps: readonly Application[],
  rate: number,
  rep: number,
  seed: number,
): Promise<Row> {
  const faults = createFaults(
    { latencyMs: [1, 5], incomeFailureRate: 0, fraudOutage: null, notifyFailureRate: rate },
    seed + rep,
  );
  const sys = await openCreditSystem(join(dir, `rate-${rate}-${rep}.db`), faults, (deps) => ({
    wf: creditWorkflow(deps),
  }));
  try {
    const stop = stopwatch();
    const runs = await decideAll(sys.rt, sys.workflows.wf, apps, 64);
    const { wallMs, cpuMs } = stop();
    const seconds = wallMs / 1000;
    const stored = await Promise.all(runs.map((r) => sys.rt.getRun(r.runId)));
    const check = checkLedger(sys.ledger, stored);
    return {
      failureRate: rate,
      rep,
      runs: apps.length,
      runsPerSecond: apps.length / seconds,
      cpuUsPerRun: (1000 * cpuMs) / apps.length,
      compensated: stored.filter((r) => r.status === 'compensated').length,
      completed: stored.filter((r) => r.status === 'completed').length,
      linesBooked: check.booked,
      linesVoided: check.voided,
      ledgerProblems: check.problems.length,
    };
  } finally {
    await sys.close();
  }
}
