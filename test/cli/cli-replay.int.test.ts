/**
 * `baton replay` with workflows and overrides loaded from modules, run as a subprocess under
 * plain `node` (no `--import tsx`): a `.ts` module goes through tsx's scoped loader, a `.js`
 * module through Node's own `import()`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type RunRecord, type StateChange, sqliteStore } from '../../src/index.js';
import { applications, oracle } from '../orchestrator/fixtures.js';
import { reference } from './fixtures/workflows.js';
import { baton, ensureBuilt, json, ROOT, WORKFLOWS } from './helpers.js';

const OVERRIDES = join(ROOT, 'test', 'cli', 'fixtures', 'overrides.ts');

let dir: string;
let S: string[];
/** A completed reference run that the oracle approves, and the version its risk slot was written at. */
let parent: { runId: string; riskVersion: number; head: number };

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-replay-'));
  const path = join(dir, 'baton.db');
  S = ['--store', path];
  const app = applications(40).find((a) => oracle(a).outcome === 'approve')!;
  const rt = createRuntime({ store: sqliteStore(path), workflows: [reference] });
  try {
    const h = await rt.start(reference, app);
    await h.result();
    const history = await rt.history(h.id);
    const risk = history.find((s) => s.step === 'risk')!;
    parent = { runId: h.id, riskVersion: risk.version, head: history.at(-1)!.version };
  } finally {
    await rt.close();
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function history(runId: string, path: string) {
  const rt = createRuntime({ store: sqliteStore(path), resume: false });
  try {
    return { run: await rt.getRun(runId), history: await rt.history(runId) };
  } finally {
    await rt.close();
  }
}

async function runIds(): Promise<string[]> {
  const rt = createRuntime({ store: sqliteStore(S[1]!), resume: false });
  try {
    return (await rt.listRuns({ limit: 1000 })).map((r) => r.runId).sort();
  } finally {
    await rt.close();
  }
}

describe('baton replay --override', () => {
  it('forks with another agent for a step, records the parent, and prints the fork against the run', async () => {
    const from = String(parent.riskVersion - 1);
    const override = `risk=${OVERRIDES}#strictRisk`;
    const [table, out] = await Promise.all([
      baton([
        ...S,
        'replay',
        parent.runId,
        '--from',
        from,
        '--workflows',
        WORKFLOWS,
        '--override',
        override,
      ]),
      baton([
        ...S,
        '--json',
        'replay',
        parent.runId,
        '--from',
        from,
        '--workflows',
        WORKFLOWS,
        '--override',
        override,
      ]),
    ]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`(with risk=risk@2.0.0); status completed`);
    expect(table.stdout).toMatch(/changed\s+decision\.outcome\s+"approve"\s+"decline"/);
    expect(table.stdout).toMatch(/changed\s+risk\.rating\s+"[ABC]"\s+"D"/);

    const r = json<{
      parentRunId: string;
      run: RunRecord;
      overrides: Record<string, string>;
      diff: {
        from: { runId: string; version: number };
        to: { runId: string };
        changes: StateChange[];
      };
    }>(out);
    expect(r.overrides).toEqual({ risk: 'risk@2.0.0' });
    expect(r.run).toMatchObject({
      status: 'completed',
      parentRunId: parent.runId,
      parentVersion: Number(from),
    });
    expect(r.run.output).toEqual({ outcome: 'decline' });
    expect(r.diff.from).toEqual({ runId: parent.runId, version: parent.head });
    expect(r.diff.to.runId).toBe(r.run.runId);
    expect(r.diff.changes.map((c) => c.path)).toEqual(['decision.outcome', 'risk.rating']);

    const fork = await history(r.run.runId, S[1]!);
    expect(fork.history[0]).toMatchObject({
      step: '$replay',
      tag: `replay:${parent.runId}@${from}`,
    });
    expect(fork.history.find((s) => s.step === 'risk')?.createdBy).toBe('risk@2.0.0');
    expect(fork.history.find((s) => s.step === 'decision')?.createdBy).toBe('decision@1.0.0');
  });

  it('loads a plain .js workflows module with Node alone', async () => {
    const mod = join(dir, 'workflows.mjs');
    const dist = pathToFileURL(join(ROOT, 'dist', 'cli', 'commands', 'demo-workflow.js')).href;
    writeFileSync(mod, `export { demoWorkflow } from '${dist}';\n`);
    const demoStore = join(dir, 'demo.db');
    const demo = json<{ runId: string }>(await baton(['--store', demoStore, '--json', 'demo']));
    const r = await baton([
      '--store',
      demoStore,
      '--json',
      'replay',
      demo.runId,
      '--from',
      '1',
      '--workflows',
      mod,
    ]);
    expect(json<{ run: RunRecord }>(r).run).toMatchObject({
      status: 'completed',
      parentRunId: demo.runId,
    });
    expect(json<{ diff: { changes: unknown[] } }>(r).diff.changes).toEqual([]);
  });

  it('refuses a malformed --override as bad usage, and a missing export or a non-agent naming it', async () => {
    const base = [...S, 'replay', parent.runId, '--from', '2', '--workflows', WORKFLOWS];
    const before = await runIds();
    const [malformed, missing, notAgent, ambiguous] = await Promise.all([
      baton([...base, '--override', 'risk']),
      baton([...base, '--override', `risk=${OVERRIDES}#nope`]),
      baton([...base, '--override', `risk=${OVERRIDES}#notAnAgent`]),
      baton([...base, '--override', `risk=${OVERRIDES}`]),
    ]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('is not <step>=<module>#<export>');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('#nope: no such export');
    expect(notAgent.code).toBe(1);
    expect(notAgent.stderr).toContain('#notAnAgent: the export is not an agent');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('agents exported: fixedScore, strictRisk');
    // None of them forked anything.
    expect(await runIds()).toEqual(before);
  });
});
