/**
 * The database of experiment 4: the credit workflow's runs on a SQLite file with three planted
 * bugs, each in a different release of the workflow, next to correct runs:
 * 1. a stale read: `risk-assessment@1.0.1` rates on a score from a cache filled by the bureau's
 *    quick pull (the provisional score) instead of the score in its input — the founding incident;
 * 2. a buggy agent version: `final-approval@1.1.0` treats a D rating as C (a threshold bug), so
 *    borderline applicants are approved instead of referred;
 * 3. a lost update: `final-approval@1.2.0` also adds the approved amount to a `customer_exposure`
 *    row by read-modify-write with a call in between; the same applicant submitted twice at once
 *    gets two lines and an exposure holding only one of them.
 * The planted truth is returned so the scripted investigation can be checked against it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { agent } from 'baton-runtime';
import Database from 'better-sqlite3';
import type { Application } from '../../../examples/credit-decisioning/domain/contracts.js';
import { generateApplications } from '../../../examples/credit-decisioning/domain/generate.js';
import { assess, assessRisk, decide } from '../../../examples/credit-decisioning/domain/logic.js';
import { softPullScore } from '../../../examples/credit-decisioning/naive/agents.js';
import {
  type AgentDeps,
  createAgents,
} from '../../../examples/credit-decisioning/system/agents.js';
import { creditWorkflow, decideAll, NO_FAULTS, openCreditSystem } from '../credit.js';

/** What was planted, for checking the investigation. */
export interface PlantedBugs {
  readonly staleRead: { readonly applicantId: string; readonly agent: string };
  readonly buggyVersion: { readonly applicantId: string; readonly agent: string };
  readonly lostUpdate: {
    readonly applicantId: string;
    readonly runIds: readonly string[];
    readonly exposure: number;
  };
  /** Runs in the database. */
  readonly runs: number;
}

const STALE_RISK = 'risk-assessment@1.0.1';
const BUGGY_APPROVAL = 'final-approval@1.1.0';

function plantedAgents(
  deps: AgentDeps,
  exposure: { add(id: string, amount: number): Promise<void> },
) {
  const a = createAgents(deps);
  const staleRisk = agent({
    ...a.risk,
    version: '1.0.1',
    // The bug: the score comes from a cache the quick bureau pull filled, not from the input.
    execute: (i) => assessRisk(softPullScore(i.application), i.income, i.application),
  });
  const buggyApproval = agent({
    ...a.approval,
    version: '1.1.0',
    // The bug: a D rating is decided as if it were C.
    execute: (i, ctx) =>
      a.approval.execute(
        { ...i, risk: { ...i.risk, rating: i.risk.rating === 'D' ? 'C' : i.risk.rating } },
        ctx,
      ),
  });
  const exposureApproval = agent({
    ...a.approval,
    version: '1.2.0',
    execute: async (i, ctx) => {
      const d = await a.approval.execute(i, ctx);
      if (d.outcome === 'approve') await exposure.add(d.applicantId, d.approvedAmount);
      return d;
    },
  });
  return { staleRisk, buggyApproval, exposureApproval };
}

/** The exposure table and its read-modify-write (the lost update's mechanism). */
function openExposure(path: string) {
  const db = new Database(path, { timeout: 10_000 });
  db.exec(
    'CREATE TABLE IF NOT EXISTS customer_exposure (applicant_id TEXT PRIMARY KEY, total REAL NOT NULL)',
  );
  const read = db.prepare<[string], { total: number }>(
    'SELECT total FROM customer_exposure WHERE applicant_id = ?',
  );
  const write = db.prepare(
    'INSERT INTO customer_exposure (applicant_id, total) VALUES (?, ?) ON CONFLICT (applicant_id) DO UPDATE SET total = excluded.total',
  );
  return {
    async add(id: string, amount: number): Promise<void> {
      const current = read.get(id)?.total ?? 0;
      await delay(20); // a call to the risk-limits service between the read and the write
      write.run(id, current + amount);
    },
    total: (id: string): number => read.get(id)?.total ?? 0,
    close: () => void db.close(),
  };
}

/** Applications a planted bug turns into a wrong decision (searched in a seeded population). */
function pick(seed: number) {
  const apps = generateApplications(600, seed);
  const truth = (app: Application) => assess(app);
  const staleWrong = apps.find((app) => {
    const t = truth(app);
    return (
      assessRisk(softPullScore(app), t.income, app).rating !== t.risk.rating &&
      t.decision.outcome === 'approve'
    );
  });
  const dApproved = apps.find((app) => {
    const t = truth(app);
    return (
      t.risk.rating === 'D' &&
      t.decision.outcome === 'refer' &&
      decide({ ...t.risk, rating: 'C' }, t.fraud, app).outcome === 'approve'
    );
  });
  const approved = apps.filter((app) => truth(app).decision.outcome === 'approve');
  if (!staleWrong || !dApproved || approved.length < 3)
    throw new Error('no application exhibits a planted bug; change the seed');
  return { apps, staleWrong, dApproved, doubled: approved[2] as Application };
}

/** Builds the database at `path` (a new file) and returns what was planted. */
export async function prepareRootCauseDb(
  path: string,
  seed: number,
  background: number,
): Promise<PlantedBugs> {
  const { apps, staleWrong, dApproved, doubled } = pick(seed);
  let runs = 0;
  // Opened once Baton's tables exist (the build runs after the store's migration).
  let exposure: ReturnType<typeof openExposure> | undefined;
  const sys = await openCreditSystem(path, NO_FAULTS, (deps) => {
    exposure = openExposure(path);
    const p = plantedAgents(deps, exposure);
    return {
      v1: creditWorkflow(deps),
      v2: creditWorkflow(deps, { version: 2, agents: { risk: p.staleRisk } }),
      v3: creditWorkflow(deps, { version: 3, agents: { approval: p.buggyApproval } }),
      v4: creditWorkflow(deps, { version: 4, agents: { approval: p.exposureApproval } }),
    };
  });
  const ex = exposure as ReturnType<typeof openExposure>;
  try {
    const others = apps.filter((a) => a !== staleWrong && a !== dApproved && a !== doubled);
    const batch = (k: number) => others.slice(k * background, (k + 1) * background);
    runs += (await decideAll(sys.rt, sys.workflows.v1, batch(0), 16)).length;
    runs += (await decideAll(sys.rt, sys.workflows.v2, [...batch(1), staleWrong], 16)).length;
    runs += (await decideAll(sys.rt, sys.workflows.v3, [...batch(2), dApproved], 16)).length;
    runs += (await decideAll(sys.rt, sys.workflows.v4, batch(3), 16)).length;
    // The same application submitted twice at once (a double click, a retried request).
    const twice = await decideAll(sys.rt, sys.workflows.v4, [doubled, doubled], 2);
    runs += twice.length;
    return {
      staleRead: { applicantId: staleWrong.applicantId, agent: STALE_RISK },
      buggyVersion: { applicantId: dApproved.applicantId, agent: BUGGY_APPROVAL },
      lostUpdate: {
        applicantId: doubled.applicantId,
        runIds: twice.map((r) => r.runId),
        exposure: ex.total(doubled.applicantId),
      },
      runs,
    };
  } finally {
    await sys.close();
    ex.close();
  }
}
