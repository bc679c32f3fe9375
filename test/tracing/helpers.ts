/**
 * Shared setup of the tracing tests: a real OpenTelemetry SDK (not registered globally, so test
 * files never race on global state), a memory store, the tracing and a runtime.
 */
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  createRuntime,
  createTracing,
  memoryStore,
  type Runtime,
  type RuntimeOptions,
  type StateStore,
  type Telemetry,
  type TracingOptions,
  type Workflow,
} from '../../src/index.js';

/** A runtime whose spans reach an in-memory exporter and the built-in store. */
export interface TracedRuntime {
  readonly rt: Runtime;
  readonly store: StateStore;
  readonly tracing: Telemetry;
  readonly exporter: InMemorySpanExporter;
  readonly provider: BasicTracerProvider;
  /** Flushes the tracing, closes the runtime and the provider. */
  close(): Promise<void>;
}

/** A real SDK provider exporting to memory. */
export function sdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

/** Builds a traced runtime for `workflows`. */
export function tracedRuntime(
  workflows: readonly Workflow<unknown, unknown>[],
  opts: {
    tracing?: Partial<TracingOptions>;
    runtime?: Partial<RuntimeOptions>;
    sdk?: ReturnType<typeof sdk>;
  } = {},
): TracedRuntime {
  const { exporter, provider } = opts.sdk ?? sdk();
  const store = memoryStore();
  const tracing = createTracing({ tracer: provider.getTracer('baton'), store, ...opts.tracing });
  const rt = createRuntime({
    store,
    workflows,
    telemetry: tracing,
    ...opts.runtime,
  });
  return {
    rt,
    store,
    tracing,
    exporter,
    provider,
    async close() {
      await tracing.flush();
      await rt.close();
      await provider.shutdown();
    },
  };
}

/** The finished spans, with helpers to find them by name and attribute. */
export function spansOf(exporter: InMemorySpanExporter) {
  const all = exporter.getFinishedSpans();
  const byName = (name: string) => all.filter((s) => s.name === name);
  const one = (name: string): ReadableSpan => {
    const found = byName(name);
    if (found.length !== 1) throw new Error(`expected one span '${name}', found ${found.length}`);
    return found[0]!;
  };
  const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
  const idOf = (s: ReadableSpan) => s.spanContext().spanId;
  return { all, byName, one, parentOf, idOf };
}

/** A barrier that opens once `n` parties have arrived. */
export function barrier(n: number) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return {
    async arrive() {
      arrived++;
      if (arrived === n) open();
      await opened;
    },
  };
}
