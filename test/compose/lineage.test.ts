/**
 * Lineage and blame follow the link of a child workflow: a parent's slot written by a child step
 * points into the child run that produced it (its id, its versions and agents), for one child
 * and for one element of a fan-out; and from the command line (`baton blame`, `baton lineage`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../../src/cli/program.js';
import {
  agent,
  blame,
  contract,
  createRuntime,
  type Runtime,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { capturedIo } from '../support/captured-io.js';
import { tempDbPath } from '../support/temp-db.js';
import { calls, childFlow, fanOutFlow, Num, parentFlow } from './fixtures.js';

let rt: Runtime;
let path: string;
let remove: () => Promise<void>;
let parentId: string;
let fanId: string;
let listId: string;

const Pair = contract('compose.pair@1', z.object({ pair: z.array(z.number()) }));

/** A single child whose output is an array: an index in a path is into that output. */
function listParent() {
  const pairAgent = agent({
    name: 'pair',
    version: '1.0.0',
    input: Num,
    output: Pair,
    execute: (x) => ({ pair: [x.n, x.n * 2] }),
  });
  const child = workflow('compose-list-child', { version: 1, input: Num })
    .step('pair', pairAgent, { input: (s) => s.input })
    .output((s) => s.pair.pair);
  return workflow('compose-list-parent', { version: 1, input: Num })
    .step('pairs', child, { input: (s) => s.input })
    .output((s) => ({ second: s.pairs[1] }));
}

beforeAll(async () => {
  const t = tempDbPath('compose-lineage');
  ({ path, remove } = t);
  const child = childFlow(calls());
  const parent = parentFlow(child);
  const fan = fanOutFlow(child, 2);
  const list = listParent();
  rt = createRuntime({ store: sqliteStore(path), workflows: [parent, fan, list], pollMs: 50 });
  const l = await rt.start(list, { n: 3 });
  await l.result();
  listId = l.id;
  const p = await rt.start(parent, { n: 1 });
  await p.result();
  parentId = p.id;
  const f = await rt.start(fan, { ns: [5, 6, 7] });
  await f.result();
  fanId = f.id;
});
afterAll(async () => {
  await rt?.close();
  await remove?.();
});

describe('blame across a child step', () => {
  it('points a value set by a child step at the child run and the agent that produced it', async () => {
    const b = await blame(rt, parentId, 'child.doubled');
    expect(b.value).toBe(4);
    expect(b.setBy).toMatchObject({ step: 'child', createdBy: 'workflow.compose-child@1.0.0' });
    expect(b.child).toMatchObject({
      runId: `${parentId}.child`,
      workflow: 'compose-child',
      path: 'double.doubled',
      setBy: { runId: `${parentId}.child`, step: 'double', createdBy: 'double@1.0.0' },
    });
    expect(b.child?.blame?.value).toBe(4);
  });

  it('picks the fan-out element the path names', async () => {
    const b = await blame(rt, fanId, 'each[1].doubled');
    expect(b.value).toBe(12);
    expect(b.child).toMatchObject({
      runId: `${fanId}.each.1`,
      path: 'double.doubled',
      setBy: { runId: `${fanId}.each.1`, createdBy: 'double@1.0.0' },
    });
  });

  it('reads an index into a single child’s array output, not as a fan-out element', async () => {
    const b = await blame(rt, listId, 'pairs[1]');
    expect(b.value).toBe(6);
    // No child slot holds 6 as is (the output function took it out of `pair.pair`): the
    // child's last slot write stands for it.
    expect(b.child).toMatchObject({
      runId: `${listId}.pairs`,
      path: null,
      setBy: { step: 'pair', createdBy: 'pair@1.0.0' },
    });
    const l = await rt.lineage(listId, 'pairs[1]');
    expect(l.root.children?.map((c) => c.runId)).toEqual([`${listId}.pairs`]);
  });

  it('gives no child for a slot an agent wrote, nor for a whole fan-out slot', async () => {
    const child = await blame(rt, `${parentId}.child`, 'double.doubled');
    expect(child.child).toBeUndefined();
    const whole = await blame(rt, fanId, 'each');
    expect(whole.child).toBeUndefined();
  });
});

describe('lineage across a child step', () => {
  it('lists the child run with the lineage of its slots, down to its input', async () => {
    const l = await rt.lineage(parentId, 'child.doubled');
    expect(l.root.createdBy).toBe('workflow.compose-child@1.0.0');
    expect(l.root.children).toHaveLength(1);
    const c = l.root.children![0]!;
    expect(c).toMatchObject({
      runId: `${parentId}.child`,
      workflow: 'compose-child',
      workflowVersion: 1,
    });
    expect(c.slots.map((n) => [n.runId, n.slot, n.createdBy])).toEqual([
      [`${parentId}.child`, 'double', 'double@1.0.0'],
    ]);
    const input = c.slots[0]!.derivedFrom.find((n) => n.slot === 'input');
    expect(input).toMatchObject({ runId: `${parentId}.child`, via: 'input' });
  });

  it('lists every child of a fan-out, or the one its path picks', async () => {
    const all = await rt.lineage(fanId, 'each');
    expect(all.root.children?.map((c) => c.runId)).toEqual([
      `${fanId}.each.0`,
      `${fanId}.each.1`,
      `${fanId}.each.2`,
    ]);
    const one = await rt.lineage(fanId, 'each[2].doubled');
    expect(one.root.children?.map((c) => c.runId)).toEqual([`${fanId}.each.2`]);
    const plain = await rt.lineage(`${fanId}.each.2`, 'double');
    expect(plain.root.children).toBeUndefined();
  });
});

const io = capturedIo;

describe('the command line', () => {
  it('baton blame and baton lineage name the child run', async () => {
    const b = io();
    expect(await runCli(['--store', path, 'blame', parentId, 'child.doubled'], b.io)).toBe(0);
    expect(b.out()).toMatch(
      new RegExp(
        `child run: +${parentId}\\.child \\(compose-child\\): double\\.doubled, v\\d+ by double@1\\.0\\.0`,
      ),
    );
    const l = io();
    expect(await runCli(['--store', path, 'lineage', parentId, 'child'], l.io)).toBe(0);
    expect(l.out()).toContain(`child run ${parentId}.child (compose-child@1)`);
    expect(l.out()).toMatch(
      new RegExp(`run ${parentId}\\.child v\\d+ double: by double@1\\.0\\.0`),
    );
  });
});
