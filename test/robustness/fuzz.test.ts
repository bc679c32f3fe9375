/**
 * Property-based fuzzing of the public surface: random workflow definitions (step names that
 * include reserved and odd ones), random inputs (deep, wide, unicode, NUL, non-JSON) and random
 * agent behaviours (throw anything, hang, return anything). The property: every call either gives
 * the documented result or throws a Baton error with a code — never a raw TypeError/RangeError,
 * never a hang (a hanging agent ends at its policy timeout), never a completed run that skipped a
 * step. `npm test` runs FUZZ_RUNS (default 25) cases; `npm run fuzz` runs 5,000.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Agent,
  agent,
  createRuntime,
  isBatonError,
  memoryStore,
  type Workflow,
  workflow,
} from '../../src/index.js';
import { Anything } from './fixtures.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

const NAMES = [
  'a',
  'b',
  'c',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__proto__',
  'input',
  'ünïcode',
  'step-1',
  'x'.repeat(300),
  'has space',
  'a\u0000b',
];

type Behaviour =
  | { kind: 'echo' }
  | { kind: 'return'; value: unknown }
  | { kind: 'throw'; value: unknown }
  | { kind: 'hang' };

function deep(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

const odd = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(NaN, Infinity, undefined, null, () => 1, Symbol('s'), new Date(0), 10n),
  fc.constantFrom(deep(600), deep(20_000), { a: { b: [1, 'x\u0000y'] } }),
  fc.array(fc.integer(), { maxLength: 2000 }),
);

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.constant<Behaviour>({ kind: 'echo' }),
  odd.map<Behaviour>((value) => ({ kind: 'return', value })),
  fc
    .oneof(odd, fc.constant(new Error('boom')), fc.constant(new TypeError('t')))
    .map<Behaviour>((value) => ({ kind: 'throw', value })),
  fc.constant<Behaviour>({ kind: 'hang' }),
);

function agentFor(
  index: number,
  name: string,
  b: Behaviour,
  calls: Set<string>,
): Agent<unknown, unknown> {
  return agent({
    name: `fuzz-${index}`,
    version: '1.0.0',
    input: Anything,
    output: Anything,
    policy: { timeoutMs: 30, retry: { maxAttempts: 1 } },
    execute: async (input: unknown, ctx) => {
      calls.add(name);
      switch (b.kind) {
        case 'echo':
          return input;
        case 'return':
          return b.value;
        case 'throw':
          throw b.value;
        case 'hang':
          // Never settles by itself; ends when the policy timeout aborts the attempt.
          return new Promise((_, reject) => {
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          });
      }
    },
  });
}

/** Runs `fn`; a thrown value must be a Baton error with a code. */
async function documented<T>(
  fn: () => T | Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    expect(isBatonError(e), `not a Baton error: ${String(e)}`).toBe(true);
    expect(typeof (e as { code?: unknown }).code).toBe('string');
    return { ok: false };
  }
}

describe('fuzzing the public surface', () => {
  it('every call gives its documented result or a Baton error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...NAMES), behaviour), { minLength: 1, maxLength: 3 }),
        fc.oneof(odd, fc.integer()),
        async (steps, input) => {
          const calls = new Set<string>();
          const built = await documented(() => {
            let w = workflow('fuzz', { version: 1, input: Anything }) as unknown as {
              step: (n: string, a: Agent, o: object) => typeof w;
              output: (f: (s: Record<string, unknown>) => unknown) => Workflow;
            };
            let previous: string | undefined;
            for (const [i, [name, b]] of steps.entries()) {
              const before = previous;
              w = w.step(name, agentFor(i, name, b, calls), {
                ...(before ? { needs: [before] } : {}),
                input: (s: Record<string, unknown>) => (before ? s[before] : s.input),
              });
              previous = name;
            }
            const last = previous!;
            return w.output((s) => s[last]);
          });
          if (!built.ok) return;
          const wf = built.value;
          const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
          try {
            const started = await documented(() => rt.start(wf, input));
            if (!started.ok) return;
            const result = await documented(() => started.value.result());
            const run = await rt.getRun(started.value.id);
            if (result.ok) {
              // A completed run ran every step: each agent was called and each slot is stored.
              expect(run.status).toBe('completed');
              const stored = new Set((await rt.history(run.runId)).map((v) => v.step));
              for (const [name] of steps) {
                expect(calls.has(name)).toBe(true);
                expect(stored.has(name)).toBe(true);
              }
            } else {
              expect(['failed', 'compensated']).toContain(run.status);
            }
          } finally {
            await rt.close();
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('option factories refuse odd options with Baton errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), odd, { maxKeys: 3 }), async (options) => {
        await documented(() => createRuntime({ store: memoryStore(), ...options }));
      }),
      { numRuns: RUNS },
    );
  });
});
