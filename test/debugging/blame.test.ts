/**
 * Blame on runs with a known culprit: a risk agent version that rates everyone A, so a decision
 * the oracle declines is approved. Blame must name the decision's writer and its exact input,
 * then the rating's writer (the culprit) and its exact input; follow a rollback and a replay back
 * to the write that produced a value; and refuse what it cannot answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  blame,
  contract,
  createRuntime,
  isInvalidArgumentError,
  isNotFoundError,
  type Runtime,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import {
  Application,
  applications,
  flaggedOf,
  oracle,
  Risk,
  RiskIn,
  referenceWorkflow,
  scoreOf,
  verifiedOf,
} from '../orchestrator/fixtures.js';
import { tempDbPath } from '../support/temp-db.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A runtime on a fresh SQLite file. */
function runtime(workflows: Parameters<typeof createRuntime>[0]['workflows']): Runtime {
  const db = tempDbPath('blame');
  const rt = createRuntime({ store: sqliteStore(db.path), workflows });
  cleanups.push(async () => {
    await rt.close();
    await db.remove();
  });
  return rt;
}

/** An application the oracle declines (not flagged: the rating alone decides). */
const declined = applications(200).find((a) => oracle(a).outcome === 'decline' && !flaggedOf(a))!;

/** The culprit: risk@1.3.0 rates every application A. */
const lenientRisk = agent({
  name: 'risk',
  version: '1.3.0',
  input: RiskIn,
  output: Risk,
  execute: () => ({ rating: 'A' as const }),
});

describe('blame', () => {
  it('names the decision’s writer and input, then the culprit agent and the input it was given', async () => {
    const wf = referenceWorkflow();
    const rt = runtime([wf]);
    const good = await rt.start(wf, declined);
    expect(await good.result()).toEqual({ outcome: 'decline' });
    // The bad deployment: the same run replayed from before risk with the lenient agent.
    const riskVersion = (await rt.history(good.id)).find((s) => s.step === 'risk')!.version;
    const bad = await rt.replay(good.id, {
      fromVersion: riskVersion - 1,
      overrides: { risk: lenientRisk },
    });
    expect(await bad.result()).toEqual({ outcome: 'approve' });
    const history = await rt.history(bad.id);
    const at = (step: string) => history.find((s) => s.step === step)!;

    const decision = await blame(rt, bad.id, 'decision.outcome', { workflows: [wf] });
    expect(decision).toMatchObject({
      runId: bad.id,
      path: 'decision.outcome',
      version: history.at(-1)!.version,
      value: 'approve',
      setBy: {
        runId: bad.id,
        version: at('decision').version,
        step: 'decision',
        createdBy: 'decision@1.0.0',
        inputVersion: at('risk').version,
      },
      via: [],
    });
    expect(decision.input).toEqual({
      version: at('risk').version,
      kind: 'selector',
      value: { rating: 'A', flagged: false },
    });

    const rating = await blame(rt, bad.id, 'risk.rating', { workflows: [wf] });
    expect(rating.value).toBe('A');
    expect(rating.setBy).toMatchObject({
      step: 'risk',
      createdBy: 'risk@1.3.0',
      version: at('risk').version,
      inputVersion: at('risk').inputVersion,
      hash: at('risk').hash,
    });
    // Exactly what the risk agent received: the selector over the version it read.
    expect(rating.input).toEqual({
      version: at('risk').inputVersion,
      kind: 'selector',
      value: { score: scoreOf(declined), verified: verifiedOf(declined), debt: declined.debt },
    });
  });

  it('without the workflow, gives the whole state the writer read', async () => {
    const wf = referenceWorkflow();
    const rt = runtime([wf]);
    const run = await rt.start(wf, declined);
    await run.result();
    const b = await blame(rt, run.id, 'risk.rating');
    const read = await rt.state(run.id, b.setBy.inputVersion!);
    expect(b.input).toEqual({ version: read.version, kind: 'state', value: read.data });
    expect(Object.keys(b.input.value as object)).toContain('score');
  });

  it('blames the workflow input on the first version, which read nothing', async () => {
    const wf = referenceWorkflow();
    const rt = runtime([wf]);
    const run = await rt.start(wf, declined);
    await run.result();
    const b = await blame(rt, run.id, 'input.debt', { workflows: [wf] });
    expect(b.value).toBe(declined.debt);
    expect(b.setBy).toMatchObject({ version: 1, step: 'input', createdBy: 'system' });
    expect(b.input).toEqual({ version: null, kind: 'none', value: null });
  });

  it('follows a rollback that restored a value to the write that produced it', async () => {
    // The rate agent answers whatever `rating` says: A first; D when rerun after a rollback to
    // v1; then a rollback to v2 (which holds A) restores A.
    let rating: 'A' | 'D' = 'A';
    const Rated = contract('test.rated@1', z.object({ rating: z.enum(['A', 'D']) }));
    const rate = agent({
      name: 'rate',
      version: '1.0.0',
      input: Application,
      output: Rated,
      execute: () => ({ rating }),
    });
    const echo = agent({
      name: 'echo',
      version: '1.0.0',
      input: Rated,
      output: Rated,
      execute: (r) => ({ rating: r.rating }),
    });
    const wf = workflow('flip', { version: 1, input: Application })
      .step('risk', rate, { input: (s) => s.input })
      .step('note', echo, { needs: ['risk'], input: (s) => s.risk })
      .output((s) => s.note);
    const rt = runtime([wf]);
    const run = await rt.start(wf, declined);
    await run.result(); // v1 input, v2 risk A, v3 note
    rating = 'D';
    await rt.rollback(run.id, 1); // v4 = v1
    await (await rt.handle(run.id)).result(); // v5 risk D, v6 note
    const restore = await rt.rollback(run.id, 2); // v7 = v2: risk A again
    await (await rt.handle(run.id)).result(); // v8 note
    expect(restore.version).toBe(7);

    const b = await blame(rt, run.id, 'risk.rating', { workflows: [wf] });
    expect(b).toMatchObject({ version: 8, value: 'A' });
    expect(b.setBy).toMatchObject({ version: 2, createdBy: 'rate@1.0.0', inputVersion: 1 });
    expect(b.via).toEqual([
      expect.objectContaining({
        version: 7,
        step: '$rollback',
        inputVersion: 2,
        tag: 'rollback:2',
      }),
    ]);
    expect(b.input).toEqual({ version: 1, kind: 'selector', value: declined });
    // Asked about v6, before the restore: the D written after the first rollback.
    const d = await blame(rt, run.id, 'risk.rating', { version: 6 });
    expect(d).toMatchObject({
      value: 'D',
      via: [],
      setBy: { version: 5, createdBy: 'rate@1.0.0' },
    });
  });

  it('follows a replayed fork’s first version into the parent run', async () => {
    const wf = referenceWorkflow();
    const rt = runtime([wf]);
    const parent = await rt.start(wf, declined);
    await parent.result();
    const scoreV = (await rt.history(parent.id)).find((s) => s.step === 'score')!;
    const fork = await rt.replay(parent.id, { fromVersion: 4, overrides: { risk: lenientRisk } });
    await fork.result();
    const b = await blame(rt, fork.id, 'score.score', { workflows: [wf] });
    expect(b.value).toBe(scoreOf(declined));
    expect(b.setBy).toMatchObject({
      runId: parent.id,
      version: scoreV.version,
      createdBy: 'score@1.0.0',
      inputVersion: 1,
    });
    expect(b.via).toEqual([
      expect.objectContaining({ runId: fork.id, version: 1, step: '$replay' }),
    ]);
    expect(b.input.value).toEqual(declined);
  });

  it('refuses an unknown run, a version past the head, a path with no value and a malformed path', async () => {
    const wf = referenceWorkflow();
    const rt = runtime([wf]);
    const run = await rt.start(wf, declined);
    await run.result();
    const head = (await rt.getRun(run.id)).headVersion;
    const fails = async (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isNotFoundError(await fails(blame(rt, 'nope', 'risk.rating')))).toBe(true);
    expect(
      isNotFoundError(await fails(blame(rt, run.id, 'risk.rating', { version: head + 1 }))),
    ).toBe(true);
    const absent = await fails(blame(rt, run.id, 'risk.rating', { version: 1 }));
    expect(isNotFoundError(absent)).toBe(true);
    expect((absent as Error).message).toContain('risk.rating');
    expect(isNotFoundError(await fails(blame(rt, run.id, 'risk.nope')))).toBe(true);
    expect(isInvalidArgumentError(await fails(blame(rt, run.id, 'risk..rating')))).toBe(true);
    expect(isInvalidArgumentError(await fails(blame(rt, run.id, 'risk', { version: 0 })))).toBe(
      true,
    );
  });
});
