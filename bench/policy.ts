/**
 * Overhead per call of the policy layer (timeout + retry + circuit breaker) around a trivial
 * async function: a raw call, Baton's agent guard, cockatiel 3 (`wrap(timeout, retry,
 * circuitBreaker)`) and opossum 9 (timeout + breaker; it has no retry), in one process, several
 * repetitions, implementations interleaved in a rotating order so drift hits all of them alike.
 *
 * Run: `npx tsx bench/policy.ts [--calls 100000] [--reps 7] [--concurrency 64]`
 * Every call succeeds (the happy path is where overhead matters); the results are summed and
 * checked so no call can be optimised away or silently fail.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import { createAgentGuard } from '../src/resilience/agent-guard.js';
import { resolvePolicy } from '../src/resilience/policy.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '100000' },
    reps: { type: 'string', default: '7' },
    concurrency: { type: 'string', default: '64' },
  },
});
const CALLS = Number(values.calls);
const REPS = Number(values.reps);
const CONCURRENCY = Number(values.concurrency);

const TIMEOUT_MS = 30_000;
const ATTEMPTS = 3; // counting the first
const THRESHOLD = 5;
const RESET_MS = 60_000;

/** The guarded function: async, trivial, so the policy layer's cost dominates. */
const work = async (x: number): Promise<number> => x + 1;

type Call = (i: number) => Promise<number>;

function baton(): Call {
  const guard = createAgentGuard({
    name: 'bench@1',
    policy: resolvePolicy({
      timeoutMs: TIMEOUT_MS,
      retry: { maxAttempts: ATTEMPTS },
      breaker: { failureThreshold: THRESHOLD, resetAfterMs: RESET_MS },
    }),
  });
  return (i) => guard.run(() => work(i));
}

/** Baton as the orchestrator calls it: with the run's AbortSignal linked into every attempt. */
function batonWithSignal(): Call {
  const run = new AbortController();
  const guard = createAgentGuard({
    name: 'bench@1',
    policy: resolvePolicy({
      timeoutMs: TIMEOUT_MS,
      retry: { maxAttempts: ATTEMPTS },
      breaker: { failureThreshold: THRESHOLD, resetAfterMs: RESET_MS },
    }),
  });
  return (i) => guard.run(() => work(i), { signal: run.signal });
}

function cockatiel(): Call {
  const policy = wrap(
    timeout(TIMEOUT_MS, TimeoutStrategy.Aggressive),
    retry(handleAll, { maxAttempts: ATTEMPTS - 1, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, {
      halfOpenAfter: RESET_MS,
      breaker: new ConsecutiveBreaker(THRESHOLD),
    }),
  );
  return (i) => policy.execute(() => work(i));
}

const opossumBreakers: CircuitBreaker[] = [];
function opossum(): Call {
  const breaker = new CircuitBreaker(work, { timeout: TIMEOUT_MS, resetTimeout: RESET_MS });
  opossumBreakers.push(breaker);
  return (i) => breaker.fire(i);
}

const IMPLS: Record<string, () => Call> = {
  raw: () => work,
  baton,
  'baton+sig': batonWithSignal,
  cockatiel,
  opossum,
};

async function sequential(call: Call, n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await call(i);
  return sum;
}

async function concurrent(call: Call, n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i += CONCURRENCY) {
    const batch: Promise<number>[] = [];
    for (let j = i; j < Math.min(n, i + CONCURRENCY); j++) batch.push(call(j));
    for (const v of await Promise.all(batch)) sum += v;
  }
  return sum;
}

/** Sum of work(i) for i < n, to check every call really ran and succeeded. */
const expected = (n: number) => (n * (n - 1)) / 2 + n;

async function measure(mode: typeof sequential, call: Call, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  const sum = await mode(call, n);
  const ns = Number(process.hrtime.bigint() - start);
  if (sum !== expected(n)) throw new Error(`wrong sum ${sum}, expected ${expected(n)}`);
  return ns / n;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function runMode(label: string, mode: typeof sequential): Promise<void> {
  const names = Object.keys(IMPLS);
  const calls = Object.fromEntries(names.map((k) => [k, (IMPLS[k] as () => Call)()]));
  const samples: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (const k of names) await measure(mode, calls[k] as Call, Math.ceil(CALLS / 4)); // warm-up
  for (let rep = 0; rep < REPS; rep++) {
    for (let j = 0; j < names.length; j++) {
      const k = names[(rep + j) % names.length] as string;
      samples[k]?.push(await measure(mode, calls[k] as Call, CALLS));
    }
  }
  const med = Object.fromEntries(names.map((k) => [k, median(samples[k] as number[])]));
  const raw = med.raw as number;
  const b = med.baton as number;
  console.log(`\n${label}: ${CALLS} calls x ${REPS} repetitions (median, min-max ns/call)`);
  console.log(
    `${'impl'.padEnd(10)} ${'ns/call'.padStart(9)} ${'min-max'.padStart(15)} ${'overhead'.padStart(9)} ${'x raw'.padStart(7)} ${'x baton'.padStart(8)}`,
  );
  for (const k of names) {
    const s = samples[k] as number[];
    const m = med[k] as number;
    const range = `${Math.min(...s).toFixed(0)}-${Math.max(...s).toFixed(0)}`;
    console.log(
      `${k.padEnd(10)} ${m.toFixed(0).padStart(9)} ${range.padStart(15)} ${(m - raw).toFixed(0).padStart(9)} ${(m / raw).toFixed(2).padStart(7)} ${(m / b).toFixed(2).padStart(8)}`,
    );
  }
}

async function main(): Promise<void> {
  if (![CALLS, REPS, CONCURRENCY].every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error('--calls, --reps and --concurrency must be positive integers');
  }
  const cpu = cpus();
  console.log(`policy overhead: node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? '?'}`);
  console.log(
    `policy: timeout ${TIMEOUT_MS} ms, ${ATTEMPTS} attempts, breaker after ${THRESHOLD} consecutive failures (opossum: timeout + breaker, no retry)`,
  );
  await runMode('sequential (await each call)', sequential);
  await runMode(`concurrent (batches of ${CONCURRENCY})`, concurrent);
  for (const b of opossumBreakers) b.shutdown();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
