/**
 * LLM calls against an in-process OpenAI-compatible HTTP server (real HTTP through
 * `@ai-sdk/openai-compatible`), two measurements:
 *
 * 1. Overhead: CPU µs per call of a bare `generateText` with structured output and a contract
 *    check, the same call as an `llmAgent` execution, through a gateway with in-process limits,
 *    and through a gateway whose limits are taken in a store (memory, SQLite file). Modes are
 *    interleaved and repeated; medians are reported (the server runs in the same process, so
 *    its CPU is in every mode alike and the differences are Baton's).
 * 2. Limits: `runs` concurrent workflow runs, each one LLM step against a model answering after
 *    `delayMs`, under a request limit of `rpm` per `windowMs`, with the gateway's limits held in
 *    the process and in a SQLite store. Reported: the most calls granted in any window (the
 *    gateway's clock) and the most requests the server received in any window (its clock), vs
 *    the limit; the queueing delay (a call asking the gateway to the call starting) p50/p99/max.
 *
 *   npx tsx bench/llm-limits.ts [runs=1000] [rpm=100] [windowMs=1000] [delayMs=200] [calls=1000] [rounds=5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { generateText, jsonSchema, Output } from 'ai';
import { z } from 'zod';
import {
  type AgentContext,
  type Clock,
  contract,
  createRuntime,
  memoryStore,
  type QuotaStore,
  type StateStore,
  sqliteStore,
  systemClock,
  workflow,
} from '../src/index.js';
import { createModelGateway, type GatewayModel, llmAgent } from '../src/llm/index.js';
import { countingServer } from '../test/llm/fleet/counting-server.js';

const [RUNS, RPM, WINDOW_MS, DELAY_MS, CALLS, ROUNDS] = [1000, 100, 1000, 200, 1000, 5].map(
  (d, i) => Number(process.argv[2 + i] ?? d),
) as [number, number, number, number, number, number];

const In = contract('bench.in@1', z.object({ text: z.string() }));
const Out = contract(
  'bench.out@1',
  z.object({ summary: z.string(), confidence: z.number().min(0).max(1) }),
);
const ANSWER = JSON.stringify({ summary: 'ok', confidence: 0.9 });

const ctx: AgentContext = {
  runId: 'bench',
  step: 'summarize',
  attempt: 1,
  idempotencyKey: 'bench:summarize',
  signal: new AbortController().signal,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  usage() {},
  span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
};

const dir = mkdtempSync(join(tmpdir(), 'baton-llm-limits-'));
let files = 0;
async function sqliteFile(): Promise<StateStore> {
  const store = sqliteStore(join(dir, `s${files++}.db`), { synchronous: 'NORMAL' });
  await store.migrate();
  return store;
}

// ---- 1. overhead per call -------------------------------------------------------------------

type Mode =
  | 'bare generateText'
  | 'llmAgent'
  | '+ gateway'
  | '+ gateway, memory store'
  | '+ gateway, SQLite store';
const MODES: Mode[] = [
  'bare generateText',
  'llmAgent',
  '+ gateway',
  '+ gateway, memory store',
  '+ gateway, SQLite store',
];

async function overhead(baseURL: string): Promise<Map<Mode, number>> {
  const provider = createOpenAICompatible({
    name: 'bench',
    baseURL,
    supportsStructuredOutputs: true,
  });
  const model = provider('bench-model');
  const schema = jsonSchema(Out.jsonSchema as never, {
    validate: (v) => ({ success: true, value: v }),
  });
  const input = { text: 'hello' };
  const subject = async (
    mode: Mode,
  ): Promise<{ call: () => Promise<unknown>; close: () => Promise<void> }> => {
    if (mode === 'bare generateText')
      return {
        call: async () => {
          const r = await generateText({
            model,
            prompt: 'hello',
            output: Output.object({ schema }),
          });
          return Out.parse(r.output);
        },
        close: async () => {},
      };
    let store: StateStore | undefined;
    if (mode === '+ gateway, memory store') store = memoryStore();
    if (mode === '+ gateway, SQLite store') store = await sqliteFile();
    const viaGateway = mode !== 'llmAgent';
    const gateway = createModelGateway({
      models: { m: { model, rpm: 1e9, concurrency: 1e6 } },
      ...(store ? { store } : {}),
    });
    const a = llmAgent({
      name: 'summarize',
      version: '1.0.0',
      model: viaGateway ? gateway.model('m') : model,
      input: In,
      output: Out,
    });
    // A signal per call, as a runtime gives each attempt (the SDK leaves listeners on it).
    return {
      call: async () => a.execute(input, { ...ctx, signal: new AbortController().signal }),
      close: async () => store?.close(),
    };
  };
  const samples = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (const mode of MODES) {
      const { call, close } = await subject(mode);
      for (let i = 0; i < 100; i++) await call(); // warm-up
      const cpu = process.cpuUsage();
      for (let i = 0; i < CALLS; i += 20) await Promise.all(Array.from({ length: 20 }, call));
      const used = process.cpuUsage(cpu);
      await close();
      samples.get(mode)!.push((used.user + used.system) / CALLS);
    }
  return new Map(MODES.map((m) => [m, median(samples.get(m)!)]));
}

// ---- 2. 1,000 concurrent runs under a request limit ------------------------------------------

interface LimitResult {
  readonly seconds: number;
  readonly maxGrantedPerWindow: number;
  readonly maxStartedPerWindow: number;
  readonly maxServedPerWindow: number;
  readonly delays: number[];
}

async function limits(where: 'process' | 'SQLite store'): Promise<LimitResult> {
  const server = await countingServer({ delayMs: DELAY_MS, content: () => ANSWER });
  const provider = createOpenAICompatible({
    name: 'bench',
    baseURL: server.baseURL,
    supportsStructuredOutputs: true,
  });
  const store = where === 'process' ? memoryStore() : await sqliteFile();
  const grants: number[] = [];
  const taken: number[] = [];
  const judged: number[] = [];
  // The store's quota side, timed: the time each granted take was judged at (its window time).
  const quotas: QuotaStore = {
    take: async (req) => {
      const out = await store.quotas.take(req);
      if (out.ok) taken.push(req.now);
      return out;
    },
    release: (key, id, tokens) => store.quotas.release(key, id, tokens),
  };
  const gatewayStore = new Proxy(store, {
    get: (target, prop) => (prop === 'quotas' ? quotas : Reflect.get(target, prop)),
  });
  // The gateway's clock, remembering its last reading: in the process, a call starts in the same
  // tick as the take that judged it, so that reading is the grant's window time.
  let lastNow = 0;
  const clock: Clock = {
    now: () => {
      lastNow = Date.now();
      return lastNow;
    },
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
  };
  const gateway = createModelGateway({
    models: { m: { model: provider('slow-model'), rpm: RPM } },
    windowMs: WINDOW_MS,
    clock,
    maxWaitMs: 600_000,
    ...(where === 'process' ? {} : { store: gatewayStore }),
  });
  const inner = gateway.model('m');
  const delays: number[] = [];
  // The gateway model, timed: from asking for the call to the call starting.
  const timed: GatewayModel = {
    kind: 'gateway-model',
    id: inner.id,
    invoke: (request, fn) => {
      // Date.now(): the gateway's own clock, so windows are judged as the gateway judges them.
      const asked = Date.now();
      return inner.invoke(request, (m) => {
        const now = Date.now();
        grants.push(now);
        judged.push(lastNow);
        delays.push(now - asked);
        return fn(m);
      });
    },
  };
  const summarize = llmAgent({
    name: 'summarize',
    version: '1.0.0',
    model: timed,
    input: In,
    output: Out,
    settings: { maxRetries: 0 },
    policy: { timeoutMs: 600_000, retry: { maxAttempts: 1 } },
  });
  const wf = workflow('bench-llm-limits', { version: 1, input: In })
    .step('summarize', summarize, { input: (s) => s.input })
    .output((s) => s.summarize);
  const rt = createRuntime({ store, workflows: [wf], concurrency: RUNS });
  const started = performance.now();
  const handles = await Promise.all(
    Array.from({ length: RUNS }, (_, i) => rt.start(wf, { text: `run ${i}` })),
  );
  await Promise.all(handles.map((h) => h.result()));
  const seconds = (performance.now() - started) / 1000;
  await rt.close();
  await server.close();
  if (grants.length !== RUNS || server.log.length !== RUNS)
    throw new Error(
      `expected ${RUNS} calls, granted ${grants.length}, served ${server.log.length}`,
    );
  return {
    seconds,
    maxGrantedPerWindow: maxInWindow(where === 'process' ? judged : taken),
    maxStartedPerWindow: maxInWindow(grants),
    maxServedPerWindow: maxInWindow(server.log.map((r) => r.at)),
    delays,
  };
}

/** The most timestamps in any half-open interval [t, t + WINDOW_MS). */
function maxInWindow(times: readonly number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= WINDOW_MS) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

try {
  const server = await countingServer({ content: () => ANSWER });
  const us = await overhead(server.baseURL);
  await server.close();
  const bare = us.get('bare generateText')!;
  console.log(
    `node ${process.version}; overhead: ${CALLS} calls x ${ROUNDS} rounds against an in-process OpenAI-compatible server, median CPU µs per call`,
  );
  for (const m of MODES)
    console.log(
      `  ${m.padEnd(26)} ${us.get(m)!.toFixed(0).padStart(6)} µs  (+${(us.get(m)! - bare).toFixed(0)} over bare)`,
    );
  console.log(
    `limits: ${RUNS} concurrent runs, model answers after ${DELAY_MS} ms, limit ${RPM} requests per ${WINDOW_MS} ms window`,
  );
  for (const where of ['process', 'SQLite store'] as const) {
    const r = await limits(where);
    console.log(
      `  limits in ${where.padEnd(12)} ${r.seconds.toFixed(1)} s; most calls in any window: granted ${r.maxGrantedPerWindow} (limit ${RPM}), ` +
        `started ${r.maxStartedPerWindow}, received by the server ${r.maxServedPerWindow}; queueing delay p50 ${median(r.delays).toFixed(0)} ms, ` +
        `p99 ${quantile(r.delays, 0.99).toFixed(0)} ms, max ${Math.max(...r.delays).toFixed(0)} ms`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
