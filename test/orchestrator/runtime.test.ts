import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  isContractViolationError,
  isInvalidDefinitionError,
  isRunFailedError,
  isSkipped,
  memoryStore,
  type Workflow,
  workflow,
} from '../../src/index.js';
import { Application, applications, oracle, referenceWorkflow, Score } from './fixtures.js';

/** A barrier that opens once `n` parties have arrived. */
function barrier(n: number) {
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
    get arrived() {
      return arrived;
    },
  };
}

describe('runtime on the memory store', () => {
  it('runs the reference workflow and every decision equals the oracle', async () => {
    const wf = referenceWorkflow();
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const apps = applications(50);
    const handles = await Promise.all(apps.map((a) => rt.start(wf, a)));
    const outs = await Promise.all(handles.map((h) => h.result()));
    expect(outs).toEqual(apps.map(oracle));
    for (const h of handles) {
      expect(await h.status()).toBe('completed');
      expect((await rt.verify(h.id)).ok).toBe(true);
    }
    await rt.close();
  });

  it('runs steps whose needs are met concurrently (three agents meet at a barrier)', async () => {
    const b = barrier(3);
    const wf = referenceWorkflow({
      hooks: {
        before: async (step) => {
          if (step === 'score' || step === 'income' || step === 'fraud') await b.arrive();
        },
      },
    });
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const [app] = applications(1);
    const out = await (await rt.start(wf, app!)).result();
    expect(b.arrived).toBe(3);
    expect(out).toEqual(oracle(app!));
    await rt.close();
  });

  it('appends one version per step, recording creator and the version the input was read from', async () => {
    const wf = referenceWorkflow();
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const [app] = applications(1);
    const run = await rt.start(wf, app!);
    await run.result();
    const history = await rt.history(run.id);
    expect(history.map((h) => h.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(history[0]).toMatchObject({
      step: 'input',
      createdBy: 'system',
      inputVersion: null,
      contract: 'test.application@1',
    });
    const risk = history.find((h) => h.step === 'risk')!;
    expect(risk.createdBy).toBe('risk@1.0.0');
    // Risk read a state that already held score and income.
    const seen = await rt.state(run.id, risk.inputVersion!);
    expect(seen.data).toHaveProperty('score');
    expect(seen.data).toHaveProperty('income');
    expect(Object.isFrozen(history[5]!.data)).toBe(true);
    const journal = await rt.journal(run.id);
    const types = journal.map((j) => `${j.type}:${j.step ?? ''}`);
    expect(types).toContain('step.succeeded:risk');
    // Started and finished between two commits: one entry, whose start is at - durationMs.
    const risked = journal.find((j) => j.type === 'step.succeeded' && j.step === 'risk')!;
    expect(risked).toMatchObject({
      attempt: 1,
      inputVersion: risk.inputVersion,
      version: risk.version,
    });
    expect(risked.durationMs).toBeGreaterThanOrEqual(0);
    expect(types.at(-1)).toBe('run.completed:');
    await rt.close();
  });

  it('rejects a bad workflow input before any run exists', async () => {
    const wf = referenceWorkflow();
    const store = memoryStore();
    const rt = createRuntime({ store, workflows: [wf] });
    const err = await rt.start(wf, { id: 'x', income: -5 } as never).catch((e: unknown) => e);
    expect(isContractViolationError(err)).toBe(true);
    if (!isContractViolationError(err)) return;
    expect(err.boundary).toBe('workflow-input');
    expect(err.contractId).toBe('test.application@1');
    expect(err.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['income', 'debt', 'history', 'flags']),
    );
    expect(await rt.listRuns()).toEqual([]);
    await rt.close();
  });

  it('fails the step on an agent-input violation, naming step, agent, contract and issues', async () => {
    const needsHighScore = agent({
      name: 'picky',
      version: '2.0.0',
      input: contract('test.picky-in@1', z.object({ score: z.number().min(800) })),
      output: Score,
      execute: () => ({ score: 800 }),
    });
    const wf = workflow('picky-flow', { version: 1, input: Application })
      .step('picky', needsHighScore, { input: () => ({ score: 10 }) })
      .output((s) => s.picky);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, applications(1)[0]!);
    const err = await run.result().catch((e: unknown) => e);
    expect(isRunFailedError(err)).toBe(true);
    const cause = (err as Error).cause as { code: string; details: Record<string, unknown> };
    expect(cause.code).toBe('CONTRACT_VIOLATION');
    expect(cause.details).toMatchObject({
      boundary: 'agent-input',
      step: 'picky',
      agent: 'picky@2.0.0',
      contractId: 'test.picky-in@1',
    });
    expect(await run.status()).toBe('failed');
    await rt.close();
  });

  it('fails the step on an agent-output violation', async () => {
    const liar = agent({
      name: 'liar',
      version: '1.0.0',
      input: Application,
      output: Score,
      policy: { retry: { maxAttempts: 1 } },
      execute: () => ({ score: 9000 }),
    });
    const wf = workflow('liar-flow', { version: 1, input: Application })
      .step('liar', liar, { input: (s) => s.input })
      .output((s) => s.liar);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, applications(1)[0]!);
    const err = (await run.result().catch((e: unknown) => e)) as Error;
    const cause = err.cause as {
      code: string;
      details: { boundary: string; issues: { path: string[] }[] };
    };
    expect(cause.code).toBe('CONTRACT_VIOLATION');
    expect(cause.details.boundary).toBe('agent-output');
    expect(cause.details.issues[0]!.path).toEqual(['score']);
    await rt.close();
  });

  it('reports definition errors naming the culprit', () => {
    const score = agent({
      name: 's',
      version: '1.0.0',
      input: Application,
      output: Score,
      execute: () => ({ score: 500 }),
    });
    const base = () => workflow('defs', { version: 1, input: Application });
    expect(() => base().step('input' as never, score, { input: (s) => s.input })).toThrow(
      /cannot be named 'input'/,
    );
    expect(() =>
      base()
        .step('a', score, { input: (s) => s.input })
        .step('a' as never, score, { input: (s) => s.input }),
    ).toThrow(/duplicate step 'a'/);
    expect(() =>
      base()
        .step('a', score, { needs: ['ghost' as never], input: (s) => s.input })
        .output((s) => s.a),
    ).toThrow(/step 'a' needs unknown step 'ghost'/);
    const cyclic = base()
      .step('a', score, { needs: ['b' as never], input: (s) => s.input })
      .step('b', score, { needs: ['a'], input: (s) => s.input });
    expect(() => cyclic.output((s) => s.a)).toThrow(/cycle: a -> b -> a/);
    const unfinished = base().step('a', score, { input: (s) => s.input });
    const err = (() => {
      try {
        createRuntime({
          store: memoryStore(),
          workflows: [unfinished as unknown as Workflow<unknown, unknown>],
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isInvalidDefinitionError(err)).toBe(true);
    expect(String(err)).toMatch(/call \.output\(selector\)/);
  });

  it('journals a step whose condition is false as skipped, and its dependents see the marker', async () => {
    const score = agent({
      name: 'cond-score',
      version: '1.0.0',
      input: Application,
      output: Score,
      execute: () => ({ score: 700 }),
    });
    const echo = agent({
      name: 'echo',
      version: '1.0.0',
      input: contract('test.echo-in@1', z.object({ skipped: z.boolean() })),
      output: contract('test.echo-out@1', z.object({ sawSkip: z.boolean() })),
      execute: (i) => ({ sawSkip: i.skipped }),
    });
    const wf = workflow('cond', { version: 1, input: Application })
      .step('score', score, { input: (s) => s.input, when: (s) => s.input.income > 1e9 })
      .step('echo', echo, { needs: ['score'], input: (s) => ({ skipped: isSkipped(s.score) }) })
      .output((s) => s.echo);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, applications(1)[0]!);
    expect(await run.result()).toEqual({ sawSkip: true });
    const journal = await rt.journal(run.id);
    const skipped = journal.find((j) => j.type === 'step.skipped');
    expect(skipped).toMatchObject({ step: 'score', detail: { reason: 'condition false (when)' } });
    const state = await rt.state(run.id, 2);
    expect(state.data.score).toEqual({ skipped: true, reason: 'condition false (when)' });
    expect(state.tag).toBe('skipped');
    await rt.close();
  });

  it('returns the same run for the same idempotency key', async () => {
    const wf = referenceWorkflow();
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const app = applications(1)[0]!;
    const [a, b] = await Promise.all([
      rt.start(wf, app, { idempotencyKey: 'order-1' }),
      rt.start(wf, app, { idempotencyKey: 'order-1' }),
    ]);
    expect(a.id).toBe(b.id);
    await a.result();
    expect((await rt.listRuns()).length).toBe(1);
    await rt.close();
  });

  it('pins runs to their workflow version and starts new ones on the version given', async () => {
    const v1 = referenceWorkflow({ version: 1, name: 'versioned' });
    const v2 = referenceWorkflow({ version: 2, name: 'versioned' });
    const rt = createRuntime({ store: memoryStore(), workflows: [v1, v2] });
    const app = applications(1)[0]!;
    const r1 = await rt.start(v1, app);
    const r2 = await rt.start(v2, app);
    await Promise.all([r1.result(), r2.result()]);
    expect((await rt.getRun(r1.id)).workflowVersion).toBe(1);
    expect((await rt.getRun(r2.id)).workflowVersion).toBe(2);
    await rt.close();
  });

  it('answers bad arguments with typed errors naming them, and changes nothing', async () => {
    const wf = referenceWorkflow();
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, applications(1)[0]!);
    await run.result();
    const before = await rt.history(run.id);
    const cases: [Promise<unknown>, string, RegExp][] = [
      [
        rt.start(wf, applications(1)[0]!, 'x' as never),
        'INVALID_ARGUMENT',
        /start options must be an object/,
      ],
      [rt.state(run.id, 1.5), 'INVALID_ARGUMENT', /version must be a positive integer, got 1.5/],
      [rt.state('nope', 1), 'NOT_FOUND', /run 'nope' not found/],
      [
        rt.signal(run.id, 'x', {}),
        'INVALID_ARGUMENT',
        /is not waiting for 'x' \(status completed\)/,
      ],
      [rt.rollback(run.id, 0), 'INVALID_ARGUMENT', /positive integer, got 0/],
      [rt.replay(run.id, undefined as never), 'INVALID_ARGUMENT', /replay needs \{ fromVersion \}/],
      [rt.bisect(run.id, 3 as never), 'INVALID_ARGUMENT', /needs a predicate function/],
      [
        rt.listRuns({ status: 'bogus' as never }),
        'INVALID_ARGUMENT',
        /status must be one of .* got "bogus"/,
      ],
      [rt.listRuns({ limit: -1 }), 'INVALID_ARGUMENT', /limit/],
      [rt.cancel('nope'), 'NOT_FOUND', /run 'nope' not found/],
      [rt.diff(run.id, 2, 99), 'NOT_FOUND', /not found/],
    ];
    for (const [promise, code, message] of cases) {
      const err = await promise.then(
        () => undefined,
        (e: unknown) => e as Error & { code: string },
      );
      expect(err?.code, String(message)).toBe(code);
      expect(err?.message).toMatch(message);
    }
    expect(await rt.history(run.id)).toEqual(before);
    expect((await rt.verify(run.id)).ok).toBe(true);
    expect(await run.status()).toBe('completed');
    await rt.close();
  });
});
