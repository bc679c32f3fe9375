/**
 * Measures the cost of tracing on the reference workflow (trivial agents, so overhead dominates):
 * runs/s on the memory store with no telemetry, with `createTracing()` (no SDK, no store), with
 * the built-in trace store, with a real SDK, and with both. Modes are interleaved and repeated;
 * the median is reported.
 *
 *   npx tsx bench/tracing-overhead.ts [runs=2000] [rounds=5]
 */
import type { ExportResult } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { createRuntime, createTracing, memoryStore, type Telemetry } from '../src/index.js';
import { applications, referenceWorkflow } from '../test/orchestrator/fixtures.js';

/** An exporter that drops everything (we measure Baton and the SDK, not a network). */
const discard: SpanExporter = {
  export: (_spans: ReadableSpan[], done: (r: ExportResult) => void) => done({ code: 0 }),
  shutdown: async () => {},
};

type Mode = 'none' | 'tracing, no sdk, no store' | 'trace store' | 'sdk' | 'sdk + trace store';
const MODES: Mode[] = [
  'none',
  'tracing, no sdk, no store',
  'trace store',
  'sdk',
  'sdk + trace store',
];

/** Wall-clock throughput, and CPU time per run (steadier than wall time on a loaded machine). */
interface Sample {
  readonly runsPerSec: number;
  readonly cpuUsPerRun: number;
}

async function measure(mode: Mode, runs: number): Promise<Sample> {
  const store = memoryStore();
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] });
  const tracer = provider.getTracer('baton');
  let telemetry: Telemetry | undefined;
  if (mode === 'tracing, no sdk, no store') telemetry = createTracing();
  if (mode === 'trace store') telemetry = createTracing({ store });
  if (mode === 'sdk') telemetry = createTracing({ tracer });
  if (mode === 'sdk + trace store') telemetry = createTracing({ tracer, store });
  const wf = referenceWorkflow();
  const rt = createRuntime({ store, workflows: [wf], ...(telemetry ? { telemetry } : {}) });
  await rt.ready();
  const apps = applications(runs);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < runs; i += 100) {
    const batch = await Promise.all(apps.slice(i, i + 100).map((a) => rt.start(wf, a)));
    await Promise.all(batch.map((h) => h.result()));
  }
  await telemetry?.flush();
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await provider.shutdown();
  await rt.close();
  return { runsPerSec: (runs / elapsed) * 1000, cpuUsPerRun: (used.user + used.system) / runs };
}

const runs = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 5);
const results = new Map<Mode, Sample[]>(MODES.map((m) => [m, []]));
await measure('none', 200); // warm-up
for (let r = 0; r < rounds; r++) {
  // Rotate the order each round so no mode always runs first (after a GC-heavy neighbour).
  const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]!);
  for (const mode of order) results.get(mode)!.push(await measure(mode, runs));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const of = (mode: Mode, k: keyof Sample) => median(results.get(mode)!.map((x) => x[k]));
const baseRate = of('none', 'runsPerSec');
const baseCpu = of('none', 'cpuUsPerRun');
for (const mode of MODES) {
  const rate = of(mode, 'runsPerSec');
  const cpu = of(mode, 'cpuUsPerRun');
  process.stdout.write(
    `${mode.padEnd(28)} ${rate.toFixed(0).padStart(6)} runs/s (${pct(rate, baseRate)})  ` +
      `${cpu.toFixed(0).padStart(5)} us CPU/run (${pct(cpu, baseCpu)})\n`,
  );
}

function pct(x: number, base: number): string {
  const d = (x / base - 1) * 100;
  return `${d >= 0 ? '+' : ''}${d.toFixed(1)}%`;
}
