/**
 * Search attributes, recorded shapes and `rt.watch` through the public runtime (memory store).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRuntime,
  isInvalidArgumentError,
  isNotFoundError,
  memoryStore,
  type RunEvent,
  type Runtime,
} from '../../src/index.js';
import { loanWorkflow } from './fixtures/workflows.js';

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.close();
});
function runtime(): Runtime {
  const rt = createRuntime({ store: memoryStore(), pollMs: 20 });
  runtimes.push(rt);
  return rt;
}
async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
}
async function collect(it: AsyncIterable<RunEvent>, max = 1000): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}

describe('search attributes', () => {
  it('indexes what searchable derives plus the start tags, and pages with a cursor', async () => {
    const rt = runtime();
    const wf = loanWorkflow();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const run = await rt.start(
        wf,
        { applicant: i % 2 ? 'ann' : 'bob', amount: 10_000 * (i + 1), product: 'loan' },
        { tags: { batch: 'b1' } },
      );
      await run.result();
      ids.push(run.id);
    }
    const ann = await rt.listRuns({ where: { applicant: 'ann' } });
    expect(ann.map((r) => r.runId).sort()).toEqual(ids.filter((_, i) => i % 2).sort());
    expect(await rt.searchAttributes(ids[6]!)).toEqual({
      applicant: 'bob',
      product: 'loan',
      big: 'true',
      batch: 'b1',
    });
    const first = await rt.listRuns({ where: { batch: 'b1' }, limit: 4 });
    const second = await rt.listRuns({
      where: { batch: 'b1' },
      limit: 4,
      cursor: first.at(-1)!.runId,
    });
    expect([...first, ...second].map((r) => r.runId)).toEqual([...ids].reverse());
  });

  it('rejects a malformed tag before writing the run', async () => {
    const rt = runtime();
    const e = await caught(
      rt.start(
        loanWorkflow(),
        { applicant: 'x', amount: 1, product: 'p' },
        { tags: { 'no spaces': 'x' } },
      ),
    );
    expect(isInvalidArgumentError(e)).toBe(true);
    expect(await rt.listRuns()).toEqual([]);
  });
});

describe('workflow shapes', () => {
  it('records the declared graph, agent versions, waits and contract schemas in the store', async () => {
    const rt = runtime();
    const run = await rt.start(loanWorkflow({ review: true }), {
      applicant: 'x',
      amount: 5,
      product: 'p',
    });
    expect(await run.status()).toBeDefined();
    const [shape] = await rt.workflowShapes('loan-review');
    expect(shape?.order).toEqual(['credit', 'fraud', 'decision', 'review']);
    expect(shape?.steps.find((s) => s.name === 'decision')).toMatchObject({
      kind: 'agent',
      needs: ['credit', 'fraud'],
      agent: 'decide@2.1.0',
      input: 'observe.decide-in@1',
      output: 'observe.verdict@1',
    });
    expect(shape?.steps.find((s) => s.name === 'review')).toMatchObject({
      kind: 'wait',
      contract: 'observe.review@1',
    });
    expect(shape?.contracts['observe.review@1']).toMatchObject({
      type: 'object',
      required: ['approved', 'note'],
    });
  });
});

describe('rt.watch', () => {
  it('yields one run’s events from the start and ends when it ends', async () => {
    const rt = runtime();
    const run = await rt.start(loanWorkflow(), { applicant: 'a', amount: 1, product: 'p' });
    const events = await collect(rt.watch(run.id));
    expect(events[0]).toMatchObject({ type: 'run.started', status: 'running', runId: run.id });
    expect(events.at(-1)).toMatchObject({ status: 'completed' });
    const finished = events.filter((e) => e.type === 'step.succeeded').map((e) => e.step);
    expect(finished.sort()).toEqual(['credit', 'decision', 'fraud']);
    // Cursors only grow.
    const cursors = events.map((e) => Number(e.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    // Resuming after any event gives exactly the rest.
    const rest = await collect(rt.watch(run.id, { after: events[2]!.cursor }));
    expect(rest.map((e) => e.cursor)).toEqual(events.slice(3).map((e) => e.cursor));
  });

  it('follows a filter live from now, and reports a waiting run', async () => {
    const rt = runtime();
    const wf = loanWorkflow({ review: true });
    // A run of someone else, before and after the watch starts, is never seen.
    const before = await rt.start(loanWorkflow(), { applicant: 'zed', amount: 1, product: 'p' });
    const from = (await collect(rt.watch(before.id))).at(-1)!.cursor;
    const stop = new AbortController();
    const seen: RunEvent[] = [];
    const waiting = new Promise<RunEvent>((resolve) => {
      void (async () => {
        const filter = { where: { applicant: 'zed' } };
        for await (const e of rt.watch(filter, { signal: stop.signal, after: from })) {
          seen.push(e);
          if (e.status === 'waiting') resolve(e);
        }
      })();
    });
    await rt.start(wf, { applicant: 'other', amount: 1, product: 'p' });
    const run = await rt.start(wf, { applicant: 'zed', amount: 1, product: 'p' });
    const w = await waiting;
    stop.abort();
    expect(w.runId).toBe(run.id);
    expect(w.type).toBe('run.waiting');
    expect(new Set(seen.map((e) => e.runId))).toEqual(new Set([run.id]));
  });

  it('rejects an unknown run and a cursor the store did not make', async () => {
    const rt = runtime();
    expect(isNotFoundError(await caught(collect(rt.watch('nope'))))).toBe(true);
    const bad = await caught(collect(rt.watch({}, { after: 'x-y' })));
    expect(isInvalidArgumentError(bad)).toBe(true);
  });
});
