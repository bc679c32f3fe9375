/**
 * The measurement both choreography benches share: publish `flows` research requests at once
 * (concurrently) through the three-reactor chain, wait for them to settle, then publish some more
 * one at a time; end-to-end latency of a flow is publish → last handler's commit, read from its
 * event trace. Every flow is checked: four events, nothing pending or dead, and each reactor's
 * side effect recorded exactly once per flow.
 */
import { loadavg } from 'node:os';
import type { Runtime } from '../src/index.js';
import { ResearchRequested, type SideEffects } from '../test/events/fixtures/flow.js';
import { type EventCounts, perEvent } from './event-counters.js';

/** What one measurement found. */
export interface FlowFigures {
  readonly flows: number;
  readonly handledEvents: number;
  readonly seconds: number;
  readonly handledPerSecond: number;
  /** The untimed warm-up burst's events/s (the same size, on a fresh runtime: cold). */
  readonly coldHandledPerSecond: number;
  /** CPU time of this process (user + system) during the burst, per handled event. */
  readonly burstCpuUsPerEvent: number;
  readonly burstE2eLatencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly singleFlowE2eLatencyMs: { readonly p50: number; readonly p99: number };
  /** During the burst, per handled event: WAL fsyncs and store calls (when counted). */
  readonly burstPerEvent?: ReturnType<typeof perEvent>;
  /** Load average (1 min) when the burst ended. */
  readonly loadAvg: number;
  /** What the checks found wrong (empty when every flow completed once). */
  readonly problems: readonly string[];
}

/** How to measure. */
export interface FlowOptions {
  readonly flows: number;
  /** Flows published one at a time after the burst (default 50). */
  readonly singles?: number;
  /**
   * Flows of the warm-up burst before the measured one (default: as many as `flows`), checked
   * like the rest: every other bench line measures after a warm-up too (JIT, prepared
   * statements, page cache).
   */
  readonly warmup?: number;
  readonly counts?: EventCounts;
  /** The side-effect ledger of the reactors, checked for exactly-once effects. */
  readonly effects?: SideEffects;
}

export const REACTORS = ['researcher@1.0.0', 'analyst@1.0.0', 'writer@1.0.0'] as const;

const at = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function traced(rt: Runtime, correlationId: string, problems: string[]): Promise<number> {
  const trace = await rt.eventTrace(correlationId);
  const { pending, deadLetters } = trace.flags;
  if (trace.eventCount !== 4 || pending !== 0 || deadLetters !== 0)
    problems.push(
      `flow ${correlationId}: ${trace.eventCount} events, ${pending} pending, ${deadLetters} dead`,
    );
  return trace.lastActivityAt - trace.startedAt;
}

/** Runs the burst and the single flows on a runtime whose reactors are the flow's three. */
export async function measureFlows(rt: Runtime, o: FlowOptions): Promise<FlowFigures> {
  const { flows, counts } = o;
  const singles = o.singles ?? 50;
  const warmup = o.warmup ?? flows;
  /** A burst: every request published at once, as many producers would (their appends share
   * fsyncs); each publish still resolves only once its event is durable. */
  const burstOf = async (n: number, prefix: string) => {
    const published = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        rt.publish(ResearchRequested, { topic: `${prefix}${i}` }),
      ),
    );
    await rt.eventsSettled();
    return published.map((p) => p.correlationId);
  };
  const w0 = performance.now();
  const warmIds = await burstOf(warmup, 'w');
  const coldSeconds = (performance.now() - w0) / 1000;
  const before = counts ? { ...counts, calls: { ...counts.calls } } : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ids = await burstOf(flows, 't');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const loadAvg = Number((loadavg()[0] ?? 0).toFixed(2));
  const handledEvents = flows * 3;
  const burstPerEvent = counts && before ? perEvent(counts, before, handledEvents) : undefined;
  const problems: string[] = [];
  const burst: number[] = [];
  for (const id of warmIds) await traced(rt, id, problems);
  for (const id of ids) burst.push(await traced(rt, id, problems));
  const single: number[] = [];
  for (let i = 0; i < singles; i++) {
    const { correlationId } = await rt.publish(ResearchRequested, { topic: `s${i}` });
    await rt.eventsSettled();
    single.push(await traced(rt, correlationId, problems));
  }
  for (const r of REACTORS) {
    const n = o.effects?.effects(r);
    const total = warmup + flows + singles;
    if (o.effects && n !== total)
      problems.push(`${r}: ${String(n)} side effects for ${total} flows`);
  }
  burst.sort((a, b) => a - b);
  single.sort((a, b) => a - b);
  return {
    flows,
    handledEvents,
    seconds: Number(seconds.toFixed(3)),
    handledPerSecond: Math.round(handledEvents / seconds),
    coldHandledPerSecond: warmup > 0 ? Math.round((warmup * 3) / coldSeconds) : 0,
    burstCpuUsPerEvent: Math.round((cpu.user + cpu.system) / handledEvents),
    burstE2eLatencyMs: { p50: at(burst, 0.5), p99: at(burst, 0.99), max: burst.at(-1) ?? 0 },
    singleFlowE2eLatencyMs: { p50: at(single, 0.5), p99: at(single, 0.99) },
    ...(burstPerEvent ? { burstPerEvent } : {}),
    loadAvg,
    problems,
  };
}

/** Command-line flags shared by the choreography scripts. */
export function flowArgs(argv: readonly string[]): {
  flows: number;
  singles: number;
  suiteJson: boolean;
  quick: boolean;
} {
  const quick = argv.includes('--quick');
  const suiteJson = argv.includes('--suite-json');
  const positional = argv.filter((a) => !a.startsWith('--'));
  const flows = positional[0] !== undefined ? Number(positional[0]) : quick ? 100 : 300;
  if (!(Number.isInteger(flows) && flows > 0)) throw new Error(`flows must be a positive integer`);
  return { flows, singles: quick ? 10 : 50, suiteJson, quick };
}

/** One line of the `@@bench-suite` contract (bench/README.md). */
export interface SuiteLine {
  readonly id: string;
  readonly title: string;
  readonly impl: string;
  readonly label: string;
  readonly figures: Record<string, number>;
  readonly checked: string;
}

/** The suite line of one measurement. */
export function suiteLine(id: string, title: string, label: string, f: FlowFigures): SuiteLine {
  return {
    id,
    title,
    impl: 'baton',
    label: `${label}, ${f.flows}-flow burst, Node ${process.versions.node}`,
    figures: {
      eventsPerSec: f.handledPerSecond,
      coldEventsPerSec: f.coldHandledPerSecond,
      p50Ms: f.burstE2eLatencyMs.p50,
      p99Ms: f.burstE2eLatencyMs.p99,
      singleP50Ms: f.singleFlowE2eLatencyMs.p50,
      cpuUsPerEvent: f.burstCpuUsPerEvent,
      ...(f.burstPerEvent
        ? {
            fsyncsPerEvent: f.burstPerEvent.fsyncsPerEvent,
            queriesPerEvent: f.burstPerEvent.queriesPerEvent,
          }
        : {}),
      loadAvg: f.loadAvg,
    },
    checked:
      'every flow stored 4 events with nothing pending or dead; each reactor recorded its side effect once per flow',
  };
}
