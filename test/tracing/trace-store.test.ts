import { describe, expect, it } from 'vitest';
import {
  type AuxRecord,
  createRuntime,
  createTracing,
  isInvalidArgumentError,
  memoryStore,
  noopTelemetry,
  orderSpans,
  readTrace,
  renderWaterfall,
  type StateStore,
  type StoredSpan,
} from '../../src/index.js';
import { applications, referenceWorkflow } from '../orchestrator/fixtures.js';
import { spansOf, tracedRuntime } from './helpers.js';

/** A memory store that counts `appendRecords` calls (the transactions the trace store costs). */
function countingStore() {
  const store = memoryStore();
  const counts = { appends: 0, records: 0 };
  const append = store.appendRecords.bind(store);
  const counted: StateStore = Object.assign(Object.create(store) as StateStore, {
    appendRecords: async (records: readonly AuxRecord[]) => {
      counts.appends++;
      counts.records += records.length;
      await append(records);
    },
  });
  return { store: counted, counts };
}

describe('the built-in trace store', () => {
  it('writes spans in batches, not one transaction per span', async () => {
    const wf = referenceWorkflow();
    const { store, counts } = countingStore();
    const t = tracedRuntime([wf], { tracing: { store }, runtime: { store } });
    const runs = await Promise.all(applications(20).map((a) => t.rt.start(wf, a)));
    await Promise.all(runs.map((r) => r.result()));
    await t.tracing.flush();
    const exported = spansOf(t.exporter).all.length;
    expect(exported).toBe(20 * (1 + 5 + 5));
    expect(counts.records).toBe(exported);
    // At most one write per run end, and in practice runs that end together share one.
    expect(counts.appends).toBeLessThanOrEqual(20);
    expect(counts.appends).toBeGreaterThan(0);
    for (const r of runs) expect(await readTrace(store, r.id)).toHaveLength(11);
    await t.close();
  });

  it('keeps a complete tree with its own ids when no OpenTelemetry SDK is registered', async () => {
    const wf = referenceWorkflow();
    const store = memoryStore();
    const tracing = createTracing({ store });
    const rt = createRuntime({ store, workflows: [wf], telemetry: tracing });
    const run = await rt.start(wf, applications(1)[0]!);
    await run.result();
    await tracing.flush();
    const spans = await readTrace(store, run.id);
    expect(spans).toHaveLength(11);
    const ids = new Set(spans.map((s) => s.spanId));
    expect(ids.size).toBe(11);
    for (const s of spans) {
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(s.traceId).toBe(spans[0]!.traceId);
      if (s.depth > 0) expect(ids.has(s.parentSpanId!)).toBe(true);
    }
    expect(spans[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spans.map((s) => s.depth)).toEqual([
      0,
      ...Array(10)
        .fill(0)
        .map((_, i) => 1 + (i % 2)),
    ]);
    await rt.close();
  });

  it('prunes spans older than the retention on flush, and keeps newer ones', async () => {
    const wf = referenceWorkflow();
    const store = memoryStore();
    let now = 1_000_000;
    const tracing = createTracing({ store, retentionMs: 60_000, clock: { now: () => now } });
    const rt = createRuntime({ store, workflows: [wf], telemetry: tracing });
    const [a, b] = applications(2);
    const old = await rt.start(wf, a!);
    await old.result();
    await tracing.flush();
    expect(await readTrace(store, old.id)).toHaveLength(11);
    now += 60_001;
    const fresh = await rt.start(wf, b!);
    await fresh.result();
    await tracing.flush();
    expect(await readTrace(store, old.id)).toEqual([]);
    expect(await readTrace(store, fresh.id)).toHaveLength(11);
    await rt.close();
  });

  it('reports background write failures to onError and rejects flush()', async () => {
    const store = memoryStore();
    await store.migrate();
    const failing: StateStore = Object.assign(Object.create(store) as StateStore, {
      appendRecords: async () => {
        throw new Error('disk full');
      },
    });
    const seen: string[] = [];
    let reported!: () => void;
    const onErrorCalled = new Promise<void>((r) => {
      reported = r;
    });
    const tracing = createTracing({
      store: failing,
      onError: (e) => {
        seen.push(e.message);
        reported();
      },
    });
    tracing.run('r1', { 'baton.workflow': 'w' }).end('completed');
    await onErrorCalled;
    expect(seen).toEqual(['disk full']);
    tracing.run('r2', { 'baton.workflow': 'w' }).end('completed');
    await expect(tracing.flush()).rejects.toThrow('disk full');
  });

  it('costs nothing per step with no SDK and no store (the shared no-op scopes)', () => {
    const tracing = createTracing();
    const run = tracing.run('r', { 'baton.workflow': 'w' });
    expect(run).toBe(noopTelemetry.run('other', {}));
    const withStore = createTracing({ store: memoryStore() }).run('r', { 'baton.workflow': 'w' });
    expect(withStore).not.toBe(run);
    // Real scopes expose their trace id (for the versions their steps write); no-op ones do not.
    expect(run.traceId).toBeUndefined();
    expect(withStore.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(withStore.step('s', {}).traceId).toBe(withStore.traceId);
  });

  it('rejects bad options with an error naming the option', () => {
    const cases: [unknown, string][] = [
      [{ retentionMs: -5, store: memoryStore() }, 'retentionMs'],
      [{ retentionMs: 1000 }, 'retentionMs'],
      [{ tracer: {} }, 'tracer'],
      [{ store: {} }, 'store'],
      [{ clock: { now: 3 } }, 'clock'],
      [{ maxBatch: 0 }, 'maxBatch'],
    ];
    for (const [options, name] of cases) {
      const error = (() => {
        try {
          createTracing(options as never);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isInvalidArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: name });
    }
  });

  it('orders spans depth-first and keeps a span whose parent is missing as a root', () => {
    const span = (id: string, parent: string | null, start: number): StoredSpan => ({
      traceId: 't',
      spanId: id,
      parentSpanId: parent,
      runId: 'r',
      kind: parent === null ? 'run' : 'step',
      name: id,
      start,
      end: start + 1,
      status: 'ok',
      attributes: {},
      events: [],
    });
    const ordered = orderSpans([
      span('b2', 'a', 5),
      span('orphan', 'pruned', 2),
      span('a', null, 0),
      span('b1', 'a', 1),
      span('c', 'b2', 6),
    ]);
    expect(ordered.map((s) => [s.spanId, s.depth])).toEqual([
      ['a', 0],
      ['b1', 1],
      ['b2', 1],
      ['c', 2],
      ['orphan', 0],
    ]);
  });

  it('renders an empty trace and refuses a width that leaves no room for bars', () => {
    expect(renderWaterfall([])).toMatch(/no spans/);
    expect(() => renderWaterfall([], { width: 10 })).toThrow(
      /width must be an integer >= 40, got 10/,
    );
  });
});
