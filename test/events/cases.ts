/**
 * The choreography cases every bus must pass (Hono-style shared cases): the research → analysis
 * → report flow, unconsumed events, inbox suppression, dead letters and redelivery, compensation
 * events, and contract refusals. Each bus file calls `describeEventBusCases(name, makeBus)`; the
 * cases run on a memory store and on a SQLite file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/backends/memory/memory-store.js';
import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import type { EventBus } from '../../src/choreography/bus.js';
import type { EventTrace, TracedEvent } from '../../src/choreography/event-trace.js';
import { reactor } from '../../src/choreography/reactor.js';
import { renderDeadLetters, renderEventTree } from '../../src/choreography/render.js';
import { isContractViolationError, isNotFoundError } from '../../src/errors.js';
import type { StateStore } from '../../src/ledger/store.js';
import type { Policy } from '../../src/resilience/policy.js';
import { createRuntime } from '../../src/runtime/create-runtime.js';
import type { Runtime } from '../../src/runtime/runtime-types.js';
import { tempDbPath } from '../support/temp-db.js';
import {
  AnalysisCompleted,
  FlowFailed,
  type FlowHooks,
  flowReactors,
  ReportPublished,
  ResearchCompleted,
  ResearchRequested,
  sideEffects,
} from './fixtures/flow.js';

/** A bus for one test (undefined: the runtime's default embedded bus), and its cleanup. */
export interface BusUnderTest {
  readonly bus?: EventBus;
  readonly cleanup?: () => Promise<void>;
}

/** Builds a fresh bus for each test. */
export type MakeBus = () => Promise<BusUnderTest>;

const FAST: Policy = { retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 4, jitter: 0 } } };

function allEvents(trace: EventTrace): TracedEvent[] {
  const out: TracedEvent[] = [];
  const walk = (e: TracedEvent): void => {
    out.push(e);
    for (const d of e.deliveries) d.emitted.forEach(walk);
    e.caused.forEach(walk);
  };
  trace.roots.forEach(walk);
  return out;
}

const backends: [string, (path: string) => StateStore][] = [
  ['memory', () => memoryStore()],
  ['sqlite file (FULL)', (path) => sqliteStore(path)],
];

/** Registers the shared choreography cases for one bus. */
export function describeEventBusCases(busName: string, makeBus: MakeBus): void {
  describe.each(backends)(`choreography on %s over ${busName}`, (_name, makeStore) => {
    let dir: { path: string; remove: () => Promise<void> };
    let fx: ReturnType<typeof sideEffects>;
    let rt: Runtime | undefined;
    let bus: BusUnderTest = {};
    beforeEach(async () => {
      dir = tempDbPath('events');
      fx = sideEffects(`${dir.path}.effects`);
      bus = await makeBus();
    });
    afterEach(async () => {
      await rt?.close();
      rt = undefined;
      fx.close();
      await dir.remove();
      await bus.cleanup?.();
    });
    const start = (
      hooks: FlowHooks = {},
      extra: Parameters<typeof createRuntime>[0]['reactors'] = [],
    ) => {
      rt = createRuntime({
        store: makeStore(dir.path),
        reactors: [...flowReactors(fx, { policy: FAST, ...hooks }), ...(extra ?? [])],
        ...(bus.bus ? { bus: bus.bus } : {}),
      });
      return rt;
    };

    it('runs research → analysis → report, each reactor once, with causation and correlation', async () => {
      const r = start();
      const { eventId, correlationId } = await r.publish(ResearchRequested, { topic: 'tides' });
      await r.eventsSettled();
      expect(correlationId).toBe(eventId);
      for (const id of ['researcher@1.0.0', 'analyst@1.0.0', 'writer@1.0.0']) {
        expect(fx.calls(id)).toBe(1);
        expect(fx.effects(id)).toBe(1);
      }
      const trace = await r.eventTrace(correlationId);
      const events = allEvents(trace);
      expect(events.map((e) => e.type)).toEqual([
        ResearchRequested.id,
        ResearchCompleted.id,
        AnalysisCompleted.id,
        ReportPublished.id,
      ]);
      // Each emitted event is caused by the one before it and produced by the reactor that handled it.
      for (let i = 1; i < events.length; i++)
        expect(events[i]!.causationId).toBe(events[i - 1]!.eventId);
      expect(events.slice(1).map((e) => e.producer)).toEqual([
        'researcher@1.0.0',
        'analyst@1.0.0',
        'writer@1.0.0',
      ]);
      const first = trace.roots[0]!.deliveries[0]!;
      expect(first).toMatchObject({ reactor: 'researcher@1.0.0', status: 'done', attempts: 1 });
      expect(first.latencyMs).toBeGreaterThanOrEqual(0);
      expect(trace.flags).toMatchObject({
        deadLetters: 0,
        failures: 0,
        pending: 0,
        stalled: false,
      });
      expect(renderEventTree(trace)).toContain('└─ analyst@1.0.0 done attempts=1');
    });

    it('flags an event that no reactor subscribes to', async () => {
      const r = start();
      const { correlationId } = await r.publish(ResearchRequested, { topic: 'moss' });
      await r.eventsSettled();
      const trace = await r.eventTrace(correlationId);
      const report = allEvents(trace).find((e) => e.type === ReportPublished.id)!;
      expect(report.unconsumed).toBe(true);
      expect(trace.flags.unconsumed).toEqual([report.eventId]);
      expect(renderEventTree(trace)).toContain('nobody subscribes');
    });

    it('suppresses a duplicate delivery with the inbox: the effect happens once', async () => {
      const r = start();
      const { eventId, correlationId } = await r.publish(ResearchRequested, { topic: 'ice' });
      await r.eventsSettled();
      // Re-publishing the same id stores nothing; redelivering a handled event is suppressed.
      const again = await r.publish(ResearchRequested, { topic: 'ice' }, { eventId });
      expect(again.duplicate).toBe(true);
      expect(await r.redeliver(eventId)).toEqual({ requeued: 0, suppressed: 1 });
      await r.eventsSettled();
      expect(fx.calls('researcher@1.0.0')).toBe(1);
      expect(fx.calls('analyst@1.0.0')).toBe(1);
      const trace = await r.eventTrace(correlationId);
      expect(trace.eventCount).toBe(4);
      expect(trace.flags.duplicatesSuppressed).toBe(1);
    });

    it('dead-letters after maxAttempts, then a redelivery completes the flow', async () => {
      let failing = true;
      const r = start({ analysisFails: () => failing });
      const { correlationId } = await r.publish(ResearchRequested, { topic: 'salt' });
      await r.eventsSettled();
      const dead = await r.deadLetters();
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ consumer: 'analyst@1.0.0', status: 'dead', attempts: 3 });
      expect(dead[0]!.error?.message).toBe('analysis model unavailable');
      expect(renderDeadLetters(dead)).toContain('analyst@1.0.0 attempts=3');
      let trace = await r.eventTrace(correlationId);
      expect(trace.flags.deadLetters).toBe(1);
      expect(fx.calls('writer@1.0.0')).toBe(0);

      failing = false;
      expect(await r.redeliver(dead[0]!.eventId, 'analyst@1.0.0')).toEqual({
        requeued: 1,
        suppressed: 0,
      });
      await r.eventsSettled();
      expect(await r.deadLetters()).toEqual([]);
      expect(fx.effects('writer@1.0.0')).toBe(1);
      trace = await r.eventTrace(correlationId);
      expect(trace.eventCount).toBe(4);
      expect(trace.flags.deadLetters).toBe(0);
    });

    it('compensates a three-reactor flow in reverse causal order when a failure event arrives', async () => {
      const r = start();
      const { correlationId } = await r.publish(ResearchRequested, { topic: 'dunes' });
      await r.eventsSettled();
      await r.publish(FlowFailed, { reason: 'report rejected' }, { correlationId });
      await r.eventsSettled();
      expect(fx.compensationOrder()).toEqual(['writer@1.0.0', 'analyst@1.0.0', 'researcher@1.0.0']);
      // A second failure event compensates nothing twice.
      await r.publish(FlowFailed, { reason: 'again' }, { correlationId });
      await r.eventsSettled();
      expect(fx.compensationOrder()).toHaveLength(3);
      const trace = await r.eventTrace(correlationId);
      const compensated = allEvents(trace).flatMap((e) =>
        e.deliveries.filter((d) => d.compensatedAt !== null),
      );
      expect(compensated.map((d) => d.reactor).sort()).toEqual([
        'analyst@1.0.0',
        'researcher@1.0.0',
        'writer@1.0.0',
      ]);
    });

    it('refuses a payload that violates its contract at publish and at ctx.emit', async () => {
      const bad = reactor({
        name: 'sloppy',
        version: '1.0.0',
        on: ResearchCompleted,
        emits: [AnalysisCompleted],
        handle: (e, ctx) => {
          ctx.emit(AnalysisCompleted, { topic: e.payload.topic, confidence: 0.2 });
        },
      });
      const r = start({}, [bad]);
      const err = await r
        .publish(ResearchRequested, { topic: 7 } as never)
        .catch((e: unknown) => e);
      expect(isContractViolationError(err)).toBe(true);
      expect(err).toMatchObject({ boundary: 'event', contractId: ResearchRequested.id });
      const { correlationId } = await r.publish(ResearchRequested, { topic: 'fog' });
      await r.eventsSettled();
      const [dead] = await r.deadLetters({ reactor: 'sloppy@1.0.0' });
      // Contract violations are terminal: dead-lettered on the first attempt, nothing emitted.
      expect(dead).toMatchObject({ attempts: 1, correlationId });
      expect(dead!.error).toMatchObject({ code: 'CONTRACT_VIOLATION' });
      const trace = await r.eventTrace(correlationId);
      expect(allEvents(trace).filter((e) => e.producer === 'sloppy@1.0.0')).toEqual([]);
    });

    it('refuses an emit of a type the reactor did not declare', async () => {
      const rogue = reactor({
        name: 'rogue',
        version: '1.0.0',
        on: ResearchCompleted,
        handle: (_e, ctx) => {
          (ctx.emit as (t: unknown, p: unknown) => string)(ReportPublished, { title: 'x' });
        },
      });
      const r = start({}, [rogue]);
      await r.publish(ResearchRequested, { topic: 'rain' });
      await r.eventsSettled();
      const [dead] = await r.deadLetters({ reactor: 'rogue@1.0.0' });
      expect(dead!.error?.message).toMatch(/not in its emits/);
      await expect(r.eventTrace('no-such-flow')).rejects.toSatisfy(isNotFoundError);
    });
  });
}
