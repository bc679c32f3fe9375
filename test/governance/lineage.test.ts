import { afterEach, describe, expect, it } from 'vitest';
import {
  createRuntime,
  isNotFoundError,
  type LineageNode,
  type Runtime,
  sqliteStore,
} from '../../src/index.js';
import { applications, referenceWorkflow } from '../orchestrator/fixtures.js';
import { tempDbPath } from '../support/temp-db.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function runtime(workflows = [referenceWorkflow()]): Promise<Runtime> {
  const t = tempDbPath('lineage');
  const rt = createRuntime({ store: sqliteStore(t.path), workflows });
  cleanups.push(t.remove, () => rt.close());
  return rt;
}

/** slot ← [its inputs' slots], depth first, for compact assertions. */
function shape(n: LineageNode): unknown {
  return n.derivedFrom.length === 0 ? n.slot : { [n.slot]: n.derivedFrom.map(shape) };
}

describe('rt.lineage', () => {
  it('traces a decision through the agents and contracts it was derived from, per step needs', async () => {
    const wf = referenceWorkflow();
    const rt = await runtime([wf]);
    const run = await rt.start(wf, applications(1, 3)[0]!);
    await run.result();
    const l = await rt.lineage(run.id, 'decision.outcome');
    expect(l.version).toBe(6);
    expect(shape(l.root)).toEqual({
      decision: [
        'input',
        { risk: ['input', { score: ['input'] }, { income: ['input'] }] },
        { fraud: ['input'] },
      ],
    });
    expect(l.root).toMatchObject({
      via: 'step',
      slot: 'decision',
      contract: 'test.decision@1',
      createdBy: 'decision@1.0.0',
    });
    const input = l.root.derivedFrom[0]!;
    expect(input).toMatchObject({ via: 'input', version: 1, createdBy: 'system' });
    // Every node is a stored version: its hash is the ledger's.
    const history = await rt.history(run.id);
    const byVersion = new Map(history.map((s) => [s.version, s.hash]));
    const all: LineageNode[] = [];
    const walk = (n: LineageNode) => {
      all.push(n);
      n.derivedFrom.forEach(walk);
    };
    walk(l.root);
    for (const n of all) expect(n.hash).toBe(byVersion.get(n.version));
  });

  it('follows a replay fork back into its parent run', async () => {
    const wf = referenceWorkflow();
    const rt = await runtime([wf]);
    const parent = await rt.start(wf, applications(1, 5)[0]!);
    await parent.result();
    const fork = await rt.replay(parent.id, { fromVersion: 4 });
    await fork.result();
    const l = await rt.lineage(fork.id, 'score');
    expect(l.root).toMatchObject({ runId: fork.id, via: 'replay', version: 1 });
    expect(l.root.derivedFrom[0]).toMatchObject({ runId: parent.id, slot: 'score', via: 'step' });
  });

  it('refuses an unknown run, a missing slot and an empty path', async () => {
    const wf = referenceWorkflow();
    const rt = await runtime([wf]);
    const run = await rt.start(wf, applications(1, 7)[0]!);
    await run.result();
    await expect(rt.lineage('no-such-run', 'score')).rejects.toSatisfy(isNotFoundError);
    await expect(rt.lineage(run.id, 'nothing.here')).rejects.toSatisfy(isNotFoundError);
    await expect(rt.lineage(run.id, '')).rejects.toThrow(/path must be/);
  });
});
