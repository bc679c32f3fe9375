/**
 * Many worker processes on one PostgreSQL schema: crash takeover (SIGKILL), graceful drain
 * (SIGTERM) and fencing of a paused worker (SIGSTOP past its lease).
 */
import { afterEach, expect, it } from 'vitest';
import { applications } from '../orchestrator/fixtures.js';
import { adminQuery, describeWithPostgres, dropSchema, uniqueSchema } from '../postgres/server.js';
import {
  checkRuns,
  queueRuns,
  readLedger,
  startWorker,
  untilCount,
  type WorkerProcess,
} from './harness.js';
import type { WorkerReport } from './worker-process.js';

const started: WorkerProcess[] = [];
const schemas: string[] = [];

afterEach(async () => {
  for (const w of started.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) {
      w.child.kill('SIGCONT');
      w.child.kill('SIGKILL');
    }
    await w.exited;
  }
  for (const s of schemas.splice(0)) await dropSchema(s);
});

function freshSchema(label: string): string {
  const s = uniqueSchema(label);
  schemas.push(s);
  return s;
}

async function spawnWorker(
  schema: string,
  owner: string,
  o: { concurrency?: number; leaseMs?: number; ioMs?: number; report?: boolean } = {},
  // Leases long enough that a loaded 2-core machine (other suites run alongside) rarely lets one
  // lapse; takeover tests set their own.
): Promise<WorkerProcess> {
  const w = await startWorker({
    schema,
    owner,
    concurrency: o.concurrency ?? 32,
    leaseMs: o.leaseMs ?? 3000,
    pollMs: 100,
    ioMs: o.ioMs ?? 10,
    record: true,
    report: o.report ?? false,
  });
  started.push(w);
  return w;
}

const completed = (schema: string) =>
  `SELECT count(*) AS n FROM ${schema}.runs WHERE status = 'completed'`;

describeWithPostgres('workers on PostgreSQL', () => {
  it('runs 2,000 io runs on three workers, one SIGKILLed half-way: each completes once, as the oracle says', async () => {
    const schema = freshSchema('kill');
    const apps = await queueRuns(schema, applications(2000, 7));
    const workers = await Promise.all(
      ['w1', 'w2', 'w3'].map((owner) => spawnWorker(schema, owner)),
    );
    await untilCount(completed(schema), [], (n) => n >= 1000);
    // Kill w1 while it holds runs: a worker between two claims may hold none for a moment, and
    // each held run needs at least 30 ms of agent I/O, so 8 cannot all finish before the kill.
    await untilCount(
      `SELECT count(*) AS n FROM ${schema}.runs WHERE lease_owner = 'w1' AND status <> 'completed'`,
      [],
      (n) => n >= 8,
    );
    const victim = workers[0]!;
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    // Runs the dead worker held: they must be taken over after its lease expires.
    const orphans = await adminQuery<{ run_id: string }>(
      `SELECT run_id FROM ${schema}.runs WHERE lease_owner = 'w1' AND status <> 'completed'`,
    );
    expect(orphans.length).toBeGreaterThan(0);
    await untilCount(completed(schema), [], (n) => n === apps.size);
    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.slice(1).map((w) => w.exited))).toEqual([0, 0]);

    const ledger = await readLedger(schema);
    const { problems, executionsPerStep } = checkRuns(ledger, apps);
    // One version per step, oracle output, verified chain, and no step executed after its
    // version committed (a step re-runs only if it never committed: killed mid-way, or its
    // worker's lease expired under load and another worker took the run over).
    expect(problems).toEqual([]);
    expect(ledger.runs.size).toBe(2000);
    expect(executionsPerStep.size).toBe(2000 * 5);
    for (const { run_id } of orphans) {
      expect(ledger.runs.get(run_id)?.status).toBe('completed');
    }
    // Every worker did real work.
    const workersSeen = new Set(ledger.executions.map((e) => e.worker));
    expect([...workersSeen].sort()).toEqual(['w1', 'w2', 'w3']);
  }, 120_000);

  it('drains on SIGTERM: claims nothing new, ends or releases its runs, exits 0', async () => {
    const schema = freshSchema('drain');
    const apps = await queueRuns(schema, applications(200, 11));
    const w = await spawnWorker(schema, 'drainer', { concurrency: 16, ioMs: 30 });
    await untilCount(completed(schema), [], (n) => n >= 20);
    // SIGTERM while it holds runs (it may be between claims for an instant: look again).
    let heldRows: { run_id: string }[] = [];
    for (let i = 0; i < 1000 && heldRows.length === 0; i++) {
      heldRows = await adminQuery<{ run_id: string }>(
        `SELECT run_id FROM ${schema}.runs WHERE lease_owner = 'drainer' AND status <> 'completed'`,
      );
    }
    const termAt = Date.now();
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    const drained = w.reports.find((r) => r.type === 'drained');
    expect(drained).toEqual({ type: 'drained', active: 0 });
    // Held at SIGTERM: what it leased just before, plus what a claim already in flight brought in.
    const stopped = w.reports.find((r) => r.type === 'claiming-stopped');
    const held = new Set([
      ...heldRows.map((r) => r.run_id),
      ...(stopped?.type === 'claiming-stopped' ? stopped.held : []),
    ]);
    expect(held.size).toBeGreaterThan(0);
    // Nothing is left leased by the drained worker unless it ended.
    const leftovers = await adminQuery<{ run_id: string; status: string }>(
      `SELECT run_id, status FROM ${schema}.runs WHERE lease_owner = 'drainer' AND status <> 'completed'`,
    );
    expect(
      leftovers.map((r) => ({ ...r, heldAtSigterm: held.has(r.run_id) })),
      w.stderr(),
    ).toEqual([]);
    const before = await readLedger(schema);
    // After SIGTERM it started agents only for runs it already held.
    const late = before.executions.filter(
      (e) => e.worker === 'drainer' && e.startedAt > termAt + 5 && !held.has(e.runId),
    );
    expect(late.map((e) => e.runId)).toEqual([]);
    const unfinished = [...before.runs.values()].filter((r) => r.status !== 'completed').length;
    expect(unfinished).toBeGreaterThan(0);

    // Another worker finishes the rest.
    const next = await spawnWorker(schema, 'finisher', { concurrency: 32 });
    await untilCount(completed(schema), [], (n) => n === apps.size);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(checkRuns(await readLedger(schema), apps).problems).toEqual([]);
  }, 60_000);

  it('fences a worker paused past its lease: after SIGCONT it commits nothing for runs taken over', async () => {
    const schema = freshSchema('fence');
    const apps = await queueRuns(schema, applications(40, 13));
    // Slow agents, so the paused worker certainly has calls in flight when it stops.
    const paused = await spawnWorker(schema, 'paused', {
      concurrency: 16,
      leaseMs: 1000,
      ioMs: 400,
      report: true,
    });
    await untilCount(
      `SELECT count(*) AS n FROM ${schema}.executions WHERE worker = 'paused'`,
      [],
      (n) => n >= 16,
    );
    paused.child.kill('SIGSTOP');
    const heldRows = await adminQuery<{ run_id: string }>(
      `SELECT run_id FROM ${schema}.runs WHERE lease_owner = 'paused' AND status <> 'completed'`,
    );
    const held = new Set(heldRows.map((r) => r.run_id));
    expect(held.size).toBeGreaterThan(0);

    const taker = await spawnWorker(schema, 'taker', {
      concurrency: 32,
      leaseMs: 1000,
      report: true,
    });
    await untilCount(completed(schema), [], (n) => n === apps.size);
    paused.child.kill('SIGCONT');
    // Once resumed, the paused worker finds out: its commits are rejected or its renewals fail.
    await paused.until((r) => (r.type === 'commit' && !r.ok) || r.type === 'renew-lost');
    paused.child.kill('SIGTERM');
    taker.child.kill('SIGTERM');
    expect(await paused.exited).toBe(0);
    expect(await taker.exited).toBe(0);

    const claimedAt = new Map<string, number>();
    for (const r of taker.reports) {
      if (r.type !== 'claimed') continue;
      for (const id of r.runIds) if (!claimedAt.has(id)) claimedAt.set(id, r.at);
    }
    for (const id of held) expect(claimedAt.has(id), id).toBe(true);
    const commits = paused.reports.filter(
      (r): r is Extract<WorkerReport, { type: 'commit' }> =>
        r.type === 'commit' && held.has(r.runId),
    );
    // Every commit the paused worker sent after the takeover was refused by the store...
    const afterTakeover = commits.filter((c) => c.sentAt >= claimedAt.get(c.runId)!);
    expect(afterTakeover.length).toBeGreaterThan(0);
    for (const c of afterTakeover) {
      expect(c.ok, c.runId).toBe(false);
      expect(['LEASE_LOST', 'VERSION_CONFLICT']).toContain(c.code);
    }
    // ...and the ledger agrees: every run has one version per step, verified, oracle output.
    const ledger = await readLedger(schema);
    expect(checkRuns(ledger, apps).problems).toEqual([]);
    // The taker re-ran the steps the paused worker had in flight.
    const rerun = ledger.executions.filter((e) => e.worker === 'taker' && held.has(e.runId));
    expect(rerun.length).toBeGreaterThan(0);
  }, 60_000);
});
