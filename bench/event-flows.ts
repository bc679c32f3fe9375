/**
 * The measurement both choreography benches share: publish `flows` research requests at once
 * (concurrently) through the three-reactor chain, wait for them to settle, then publish 50 more one at a time;
 * end-to-end latency of a flow is publish → last handler's commit, read from its event trace.
 */
import type { Runtime } from '../src/index.js';
import { ResearchRequested } from '../test/events/fixtures/flow.js';
import { type EventCounts, perEvent } from './event-counters.js';

/** What one measurement found. */
export interface FlowFigures {
  readonly flows: number;
  readonly handledEvents: number;
  readonly seconds: number;
  readonly handledPerSecond: number;
  /** CPU time of this process (user + system) during the burst, per handled event. */
  readonly burstCpuUsPerEvent: number;
  readonly burstE2eLatencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly singleFlowE2eLatencyMs: { readonly p50: number; readonly p99: number };
  /** During the burst, per handled event: WAL fsyncs and store calls (when counted). */
  readonly burstPerEvent?: ReturnType<typeof perEvent>;
}

const at = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function latencyOf(rt: Runtime, correlationId: string): Promise<number> {
  const trace = await rt.eventTrace(correlationId);
  return trace.lastActivityAt - trace.startedAt;
}

/** Runs the burst and the single flows on a runtime whose reactors are the flow's three. */
export async function measureFlows(
  rt: Runtime,
  flows: number,
  counts?: EventCounts,
): Promise<FlowFigures> {
  const before = counts
    ? { fsyncs: counts.fsyncs, calls: { ...counts.calls }, ms: { ...counts.ms } }
    : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // A burst: every request published at once, as many producers would (their appends share
  // fsyncs); each publish still resolves only once its event is durable.
  const published = await Promise.all(
    Array.from({ length: flows }, (_, i) => rt.publish(ResearchRequested, { topic: `t${i}` })),
  );
  const ids = published.map((p) => p.correlationId);
  await rt.eventsSettled();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const handledEvents = flows * 3;
  const burstPerEvent = counts && before ? perEvent(counts, before, handledEvents) : undefined;
  const burst: number[] = [];
  for (const id of ids) burst.push(await latencyOf(rt, id));
  const single: number[] = [];
  for (let i = 0; i < 50; i++) {
    const { correlationId } = await rt.publish(ResearchRequested, { topic: `s${i}` });
    await rt.eventsSettled();
    single.push(await latencyOf(rt, correlationId));
  }
  burst.sort((a, b) => a - b);
  single.sort((a, b) => a - b);
  return {
    flows,
    handledEvents,
    seconds: Number(seconds.toFixed(3)),
    handledPerSecond: Math.round(handledEvents / seconds),
    burstCpuUsPerEvent: Math.round((cpu.user + cpu.system) / handledEvents),
    burstE2eLatencyMs: { p50: at(burst, 0.5), p99: at(burst, 0.99), max: burst.at(-1) ?? 0 },
    singleFlowE2eLatencyMs: { p50: at(single, 0.5), p99: at(single, 0.99) },
    ...(burstPerEvent ? { burstPerEvent } : {}),
  };
}
