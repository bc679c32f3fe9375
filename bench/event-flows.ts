/**
 * The measurement both choreography benches share: publish `flows` research requests at once
 * (concurrently) through the three-reactor chain, wait for them to settle, then publish 50 more one at a time;
 * end-to-end latency of a flow is publish → last handler's commit, read from its event trace.
 */
import type { Runtime } from '../src/index.js';
import { ResearchRequested } from '../test/events/fixtures/flow.js';

/** What one measurement found. */
export interface FlowFigures {
  readonly flows: number;
  readonly handledEvents: number;
  readonly seconds: number;
  readonly handledPerSecond: number;
  readonly burstE2eLatencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly singleFlowE2eLatencyMs: { readonly p50: number; readonly p99: number };
}

const at = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function latencyOf(rt: Runtime, correlationId: string): Promise<number> {
  const trace = await rt.eventTrace(correlationId);
  return trace.lastActivityAt - trace.startedAt;
}

/** Runs the burst and the single flows on a runtime whose reactors are the flow's three. */
export async function measureFlows(rt: Runtime, flows: number): Promise<FlowFigures> {
  const t0 = performance.now();
  // A burst: every request published at once, as many producers would (their appends share
  // fsyncs); each publish still resolves only once its event is durable.
  const published = await Promise.all(
    Array.from({ length: flows }, (_, i) => rt.publish(ResearchRequested, { topic: `t${i}` })),
  );
  const ids = published.map((p) => p.correlationId);
  await rt.eventsSettled();
  const seconds = (performance.now() - t0) / 1000;
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
  const handledEvents = flows * 3;
  return {
    flows,
    handledEvents,
    seconds: Number(seconds.toFixed(3)),
    handledPerSecond: Math.round(handledEvents / seconds),
    burstE2eLatencyMs: { p50: at(burst, 0.5), p99: at(burst, 0.99), max: burst.at(-1) ?? 0 },
    singleFlowE2eLatencyMs: { p50: at(single, 0.5), p99: at(single, 0.99) },
  };
}
