/**
 * A parent's trace nests its child runs' spans under the step that started them (`rt.trace`,
 * `baton trace`), for one child and for each child of a fan-out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import {
  createRuntime,
  createTracing,
  type Runtime,
  sqliteStore,
  type TraceSpan,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { calls, childFlow, fanOutFlow, parentFlow } from './fixtures.js';

let rt: Runtime;
let path: string;
let remove: () => Promise<void>;
let parentId: string;
let fanId: string;

beforeAll(async () => {
  ({ path, remove } = tempDbPath('compose-trace'));
  const store = sqliteStore(path);
  const child = childFlow(calls());
  const parent = parentFlow(child);
  const fan = fanOutFlow(child, 2);
  rt = createRuntime({
    store,
    workflows: [parent, fan],
    telemetry: createTracing({ store }),
    pollMs: 50,
  });
  const p = await rt.start(parent, { n: 1 });
  await p.result();
  parentId = p.id;
  const f = await rt.start(fan, { ns: [1, 2, 3] });
  await f.result();
  fanId = f.id;
});
afterAll(async () => {
  await rt?.close();
  await remove?.();
});

/** The spans nested under `span` (those after it, deeper, until one at its depth or above). */
function under(spans: readonly TraceSpan[], span: TraceSpan): TraceSpan[] {
  const i = spans.indexOf(span);
  const out: TraceSpan[] = [];
  for (const s of spans.slice(i + 1)) {
    if (s.depth <= span.depth) break;
    out.push(s);
  }
  return out;
}

describe('trace across child runs', () => {
  it('nests the child run and its steps under the parent’s child step', async () => {
    const spans = await rt.trace(parentId);
    expect(spans[0]).toMatchObject({ kind: 'run', runId: parentId, depth: 0 });
    const step = spans.find((s) => s.kind === 'step' && s.runId === parentId)!;
    expect(step.name).toBe('step child');
    const nested = under(spans, step);
    const childRun = nested.find((s) => s.kind === 'run')!;
    expect(childRun).toMatchObject({ runId: `${parentId}.child`, depth: step.depth + 1 });
    expect(childRun.parentSpanId).toBe(step.spanId);
    const childStep = under(spans, childRun).find((s) => s.kind === 'step')!;
    expect(childStep).toMatchObject({
      runId: `${parentId}.child`,
      name: 'step double',
      depth: step.depth + 2,
    });
    // The child's own trace is unchanged: its run span is its root.
    const own = await rt.trace(`${parentId}.child`);
    expect(own[0]).toMatchObject({ kind: 'run', runId: `${parentId}.child`, depth: 0 });
    expect(own[0]!.parentSpanId).toBeNull();
  });

  it('nests each child of a fan-out under the map step', async () => {
    const spans = await rt.trace(fanId);
    const step = spans.find((s) => s.kind === 'step' && s.runId === fanId)!;
    const runs = under(spans, step).filter((s) => s.kind === 'run');
    expect(runs.map((s) => s.runId).sort()).toEqual([
      `${fanId}.each.0`,
      `${fanId}.each.1`,
      `${fanId}.each.2`,
    ]);
    for (const r of runs) expect(r.parentSpanId).toBe(step.spanId);
  });

  it('baton trace draws the child run’s steps in the parent’s waterfall', async () => {
    const out: string[] = [];
    const io = {
      out: (s: string) => void out.push(s),
      err: (s: string) => void out.push(s),
      color: false,
    };
    expect(await runCli(['--store', path, 'trace', parentId, '--json'], io)).toBe(0);
    const json = JSON.parse(out.join('')) as { spans: TraceSpan[] };
    expect(json.spans.filter((s) => s.runId === `${parentId}.child`).map((s) => s.kind)).toEqual(
      expect.arrayContaining(['run', 'step']),
    );
    out.length = 0;
    expect(await runCli(['--store', path, 'trace', parentId, '--ascii'], io)).toBe(0);
    expect(out.join('')).toContain('step double');
  });
});
