/**
 * The `baton` CLI commands that act on runs (signal, cancel, replay) and `trace`, run as
 * subprocesses against a SQLite store prepared with the public API. The workflows module is
 * TypeScript, so those invocations run under `node --import tsx`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type RunRecord, sqliteStore } from '../../src/index.js';
import { outcomeOf } from '../orchestrator/fixtures.js';
import { type PreparedStore, prepareStore } from './fixtures/prepare-store.js';
import { baton, ensureBuilt, json, WORKFLOWS } from './helpers.js';

let dir: string;
let db: PreparedStore;
let S: string[];

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
  db = await prepareStore(join(dir, 'baton.db'));
  S = ['--store', db.path];
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Reads runs and journals in-process, through the public API, without driving anything. */
async function inspect<T>(fn: (rt: ReturnType<typeof createRuntime>) => Promise<T>): Promise<T> {
  const rt = createRuntime({ store: sqliteStore(db.path), resume: false });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

const flagged = () => db.app.flags >= 3;

describe('signal', () => {
  it('delivers a review decision and drives the run to completion (table and JSON)', async () => {
    const [a, b] = db.waiting;
    const [table, out] = await Promise.all([
      baton([...S, 'signal', a!, 'risk', '{"rating":"C"}', '--workflows', WORKFLOWS], {
        tsx: true,
      }),
      baton([...S, '--json', 'signal', b!, 'risk', '{"rating":"A"}', '--workflows', WORKFLOWS], {
        tsx: true,
      }),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`signal 'risk' delivered to run ${a}; status completed`);
    expect(table.stdout).toContain(
      `output: ${JSON.stringify({ outcome: outcomeOf('C', flagged()) })}`,
    );
    const { run } = json<{ run: RunRecord }>(out);
    expect(run).toMatchObject({ runId: b, status: 'completed', waitingFor: null });
    expect(run.output).toEqual({ outcome: outcomeOf('A', flagged()) });
    const stored = await inspect(async (rt) => [await rt.getRun(a!), await rt.state(b!, 5)]);
    expect((stored[0] as RunRecord).status).toBe('completed');
    // The signal's payload is the risk slot of a new version, tagged as such.
    expect(stored[1]).toMatchObject({
      step: 'risk',
      tag: 'signal',
      data: { risk: { rating: 'A' } },
    });
  });

  it('refuses a payload that violates the step contract and leaves the run waiting (exit 1)', async () => {
    const id = db.waiting[2]!;
    const [bad, unregistered] = await Promise.all([
      baton([...S, 'signal', id, 'risk', '{"rating":"Z"}', '--workflows', WORKFLOWS], {
        tsx: true,
      }),
      baton([...S, 'signal', id, 'risk', '{"rating":"A"}']),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("violates contract 'test.risk@1'");
    expect(bad.stderr).toContain('rating');
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain(
      "workflow 'reviewed' version 1 is not registered on this runtime; pass --workflows <module>",
    );
    const run = await inspect((rt) => rt.getRun(id));
    expect(run).toMatchObject({ status: 'waiting', waitingFor: 'risk', headVersion: 4 });
  });
});

describe('cancel', () => {
  it('cancels a waiting run, and reports that an ended run has nothing to cancel', async () => {
    const id = db.waiting[3]!;
    const first = await baton([...S, 'cancel', id]);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(`run ${id} cancelled (was waiting)`);
    const again = await baton([...S, 'cancel', id, '--json']);
    expect(json(again)).toEqual({ runId: id, previousStatus: 'cancelled', status: 'cancelled' });
    const history = await inspect((rt) => rt.history(id));
    expect(history.at(-1)).toMatchObject({ version: 5, tag: 'cancelled' });
  });
});

describe('replay', () => {
  const orphan = () =>
    inspect(async (rt) => ({
      run: await rt.getRun(db.orphaned),
      journal: await rt.journal(db.orphaned),
    }));

  it('forks a completed run from a version and drives the fork, leaving the parent untouched and other runs unresumed', async () => {
    const parent = db.completed.runId;
    const from = db.completed.steps.indexOf('fraud') + 1;
    // The orphaned run is `running` with no lease: a resuming runtime with its workflow
    // registered (as these are) would claim it, writing its lease and updatedAt, and drive it.
    const orphanBefore = await orphan();
    expect(orphanBefore.run).toMatchObject({ status: 'running', leaseOwner: null });
    const [table, out, unregistered, hung] = await Promise.all([
      baton([...S, 'replay', parent, '--from', String(from), '--workflows', WORKFLOWS], {
        tsx: true,
      }),
      baton([...S, 'replay', parent, '--from', '1', '--workflows', WORKFLOWS, '--json'], {
        tsx: true,
      }),
      baton([...S, 'replay', parent, '--from', '2']),
      // A fork whose risk agent hangs: the CLI stops driving at --timeout and exits cleanly.
      baton(
        [...S, 'replay', db.orphaned, '--from', '4', '--timeout', '100', '--workflows', WORKFLOWS],
        {
          tsx: true,
        },
      ),
    ]);
    expect(table.code).toBe(0);
    const forkId = /as run (\S+); status completed/.exec(table.stdout)?.[1];
    expect(forkId).toBeDefined();
    const { parentRunId, fromVersion, run } = json<{
      parentRunId: string;
      fromVersion: number;
      run: RunRecord;
    }>(out);
    expect([parentRunId, fromVersion]).toEqual([parent, 1]);
    expect(run).toMatchObject({ status: 'completed', parentRunId: parent, parentVersion: 1 });
    const [parentRun, fork, parentAfter] = await inspect(async (rt) => [
      await rt.getRun(parent),
      await rt.getRun(forkId!),
      await rt.verify(parent),
    ]);
    expect(fork).toMatchObject({ parentRunId: parent, parentVersion: from, status: 'completed' });
    expect((fork as RunRecord).output).toEqual((parentRun as RunRecord).output);
    expect((parentRun as RunRecord).headVersion).toBe(6);
    expect(parentAfter).toMatchObject({ ok: true, versions: 6 });
    expect(await orphan()).toEqual(orphanBefore);
    // Without the workflow there is nothing to drive the fork with: it says how to provide it.
    expect(hung.code).toBe(0);
    expect(hung.stdout).toContain(`replayed run ${db.orphaned} from v4 as run`);
    expect(hung.stdout).toMatch(/; status (pending|running)\n/);
    expect(hung.stdout).toContain('still running after --timeout');
    const hungFork = /as run (\S+);/.exec(hung.stdout)![1]!;
    const hungRun = await inspect((rt) => rt.getRun(hungFork));
    expect(['pending', 'running']).toContain(hungRun.status);
    expect(hungRun).toMatchObject({
      parentRunId: db.orphaned,
      parentVersion: 4,
      leaseOwner: null,
    });
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain(
      "workflow 'reference' version 1 is not registered on this runtime; pass --workflows <module>",
    );
  });
});

describe('trace', () => {
  it('draws the waterfall of a traced run: the run, its five steps and their attempts', async () => {
    const id = db.traced;
    const [table, out, narrow, untraced] = await Promise.all([
      baton([...S, 'trace', id, '--width', '100', '--ascii']),
      baton([...S, 'trace', id, '--json']),
      baton([...S, 'trace', id, '--width', '20']),
      baton([...S, 'trace', db.completed.runId]),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`trace of run ${id}`);
    const { spans } = json<{
      spans: { kind: string; depth: number; name: string; runId: string }[];
    }>(out);
    expect(spans.every((s) => s.runId === id)).toBe(true);
    expect(spans.filter((s) => s.kind === 'run').map((s) => s.depth)).toEqual([0]);
    const steps = spans.filter((s) => s.kind === 'step');
    expect(steps.map((s) => s.name).sort()).toEqual(
      ['decision', 'fraud', 'income', 'risk', 'score'].map((n) => `step ${n}`),
    );
    expect(steps.every((s) => s.depth === 1)).toBe(true);
    expect(spans.filter((s) => s.kind === 'attempt').length).toBe(5);
    for (const s of steps) expect(table.stdout).toContain(s.name);
    expect(narrow.code).toBe(2);
    expect(narrow.stderr).toContain("option '--width <columns>' argument '20' is invalid");
    expect(untraced.code).toBe(0);
    expect(untraced.stdout).toContain('has no stored spans');
  });
});
