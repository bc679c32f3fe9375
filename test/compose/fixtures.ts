/**
 * Workflows shared by the composition tests: a child that doubles a number (with a compensation
 * it records), a parent calling it once, and a parent fanning it out over a list.
 */
import { z } from 'zod';
import { agent, contract, type RunStatus, type Runtime, workflow } from '../../src/index.js';

export const Num = contract('compose.num@1', z.object({ n: z.number() }));
export const Nums = contract('compose.nums@1', z.object({ ns: z.array(z.number()) }));
export const Doubled = contract('compose.doubled@1', z.object({ doubled: z.number() }));

/** What the agents saw, for assertions. */
export interface Calls {
  doubled: string[];
  compensated: string[];
  /** Most children running at once. */
  peak: number;
  running: number;
}

export function calls(): Calls {
  return { doubled: [], compensated: [], peak: 0, running: 0 };
}

/** A child workflow: `double` doubles its input; `fail` on a negative number. */
export function childFlow(c: Calls, opts: { hold?: () => Promise<void>; version?: number } = {}) {
  const double = agent({
    name: 'double',
    version: '1.0.0',
    input: Num,
    output: Doubled,
    policy: { retry: { maxAttempts: 1 } },
    execute: async (x, ctx) => {
      c.running++;
      c.peak = Math.max(c.peak, c.running);
      try {
        if (opts.hold) await opts.hold();
        if (x.n < 0) throw new Error(`negative: ${x.n}`);
        c.doubled.push(ctx.runId);
        return { doubled: x.n * 2 };
      } finally {
        c.running--;
      }
    },
    compensate: (_out, ctx) => {
      c.compensated.push(ctx.runId);
    },
  });
  return workflow('compose-child', { version: opts.version ?? 1, input: Num })
    .step('double', double, { input: (s) => s.input })
    .output((s) => s.double);
}

/** A parent that runs the child once, then sums. */
export function parentFlow(child: ReturnType<typeof childFlow>) {
  return workflow('compose-parent', { version: 1, input: Num })
    .step('child', child, { input: (s) => ({ n: s.input.n + 1 }) })
    .output((s) => ({ total: s.child.doubled }));
}

/** A parent fanning the child out over `ns`. */
export function fanOutFlow(child: ReturnType<typeof childFlow>, concurrency = 4) {
  return workflow('compose-fan-out', { version: 1, input: Nums })
    .map('each', child, { input: (s) => s.input.ns.map((n) => ({ n })), concurrency })
    .output((s) => s.each.map((d) => d.doubled));
}

/** Resolves once run `runId` exists with `status` (each check yields one event-loop turn). */
export async function untilExists(
  rt: Pick<Runtime, 'getRun'>,
  runId: string,
  status: RunStatus,
  maxChecks = 100_000,
): Promise<void> {
  for (let i = 0; i < maxChecks; i++) {
    const run = await rt.getRun(runId).catch(() => undefined);
    if (run?.status === status) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`run ${runId} never reached ${status}`);
}
