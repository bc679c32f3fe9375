import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agent, contract, isInvalidDefinitionError, workflow } from '../../src/index.js';
import { pairwiseJudge, tallyPairwise } from '../../src/llm/index.js';
import {
  agentContext,
  DECLINED,
  type DecisionData,
  type ExplanationData,
  type LlmRuntime,
  lastUserText,
  llmRuntime,
  scripted,
} from './helpers.js';

let env: LlmRuntime | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const choice = (preferred: 'A' | 'B' | 'tie') =>
  JSON.stringify({ preferred, rationale: `chose ${preferred}` });

const SHORT: ExplanationData = {
  summary: 'Declined.',
  reasons: ['high debt-to-income'],
  confidence: 0.8,
};
const FULL: ExplanationData = {
  summary: 'Declined for two risk factors.',
  reasons: ['high debt-to-income', 'short credit history'],
  confidence: 0.9,
};

/** A judge model that always prefers the explanation with more reasons, wherever it is shown. */
const fair = () =>
  scripted((call) => {
    const text = lastUserText(call);
    const a = text.slice(text.indexOf('Output A:'), text.indexOf('Output B:'));
    return choice(a.includes('short credit history') ? 'A' : 'B');
  });

describe('pairwiseJudge', () => {
  it('asks twice with the positions swapped and names a winner both orders agree on', async () => {
    const model = fair();
    const judge = pairwiseJudge<DecisionData, ExplanationData>({ model, rubric: 'complete' });
    const v = await judge.compare(DECLINED, SHORT, FULL);
    expect(v).toMatchObject({ winner: 'b', consistent: true });
    expect(v.orders.map((o) => [o.shownFirst, o.preferred])).toEqual([
      ['a', 'b'],
      ['b', 'b'],
    ]);
    expect(model.doGenerateCalls).toHaveLength(2);
    const [ab, ba] = model.doGenerateCalls.map((c) => lastUserText(c));
    // A/B shows `a` first, B/A shows `b` first.
    expect(ab!.indexOf('Declined.')).toBeLessThan(ab!.indexOf('two risk factors'));
    expect(ba!.indexOf('two risk factors')).toBeLessThan(ba!.indexOf('Declined.'));
    expect((await judge.compare(DECLINED, FULL, SHORT)).winner).toBe('a');
  });

  it('reports a position-biased judge as an inconsistent tie, and counts it apart', async () => {
    const biased = scripted([choice('A')]); // always the first shown
    const judge = pairwiseJudge<DecisionData, ExplanationData>({
      model: biased,
      rubric: 'complete',
    });
    const v = await judge.compare(DECLINED, SHORT, FULL);
    expect(v).toMatchObject({ winner: 'tie', consistent: false });
    const tieModel = scripted([choice('tie')]);
    const tie = await pairwiseJudge({ model: tieModel, rubric: 'r' }).compare(
      DECLINED,
      SHORT,
      FULL,
    );
    expect(tie).toMatchObject({ winner: 'tie', consistent: true });
    const fairJudge = pairwiseJudge<DecisionData, ExplanationData>({ model: fair(), rubric: 'r' });
    const won = await fairJudge.compare(DECLINED, FULL, SHORT);
    expect(tallyPairwise([v, tie, won, won])).toEqual({
      comparisons: 4,
      aWins: 2,
      bWins: 0,
      ties: 1,
      inconsistent: 1,
    });
  });

  it('re-asks a malformed verdict', async () => {
    const model = scripted(['{"preferred": "C", "rationale": "?"}', choice('B'), choice('A')]);
    const v = await pairwiseJudge({ model, rubric: 'r' }).compare(DECLINED, SHORT, FULL);
    expect(model.doGenerateCalls).toHaveLength(3);
    // A/B said B (= b), B/A said A (= b): consistent.
    expect(v).toMatchObject({ winner: 'b', consistent: true });
  });

  it('puts the usage of both calls on the attempt of the agent that compares', async () => {
    const Pair = contract('test.pair@1', z.object({ a: z.any(), b: z.any() }));
    const Outcome = contract('test.pair-outcome@1', z.object({ winner: z.string() }));
    const judge = pairwiseJudge({
      name: 'prefer',
      version: '1',
      model: fair(),
      rubric: 'complete',
    });
    const compare = agent({
      name: 'compare',
      version: '1.0.0',
      input: Pair,
      output: Outcome,
      execute: async (pair, ctx) => ({
        winner: (await judge.compare(DECLINED, pair.a, pair.b, { ctx })).winner,
      }),
    });
    const f = workflow('pairwise', { version: 1, input: Pair })
      .step('compare', compare, { input: (s) => s.input })
      .output((s) => s.compare);
    env = llmRuntime([f]);
    const run = await env.rt.start(f, { a: FULL, b: SHORT });
    expect(await run.result()).toEqual({ winner: 'a' });
    const attempt = (await env.rt.trace(run.id)).find((s) => s.kind === 'attempt')!;
    // Both calls' tokens are on the attempt (100 in, 20 out each).
    expect(attempt.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 200,
      'gen_ai.usage.output_tokens': 40,
    });
  });

  it('adds the verdict as a gen_ai.evaluation.result event to the span of the context', async () => {
    const { ctx } = agentContext();
    const events: [string, unknown][] = [];
    const span = new Proxy(ctx.span, {
      get: (target, key) =>
        key === 'addEvent'
          ? (name: string, attributes: unknown) => {
              events.push([name, attributes]);
              return span;
            }
          : Reflect.get(target, key),
    });
    const judge = pairwiseJudge({ name: 'prefer', version: '1', model: fair(), rubric: 'r' });
    await judge.compare(DECLINED, SHORT, FULL, { ctx: { ...ctx, span } });
    expect(events).toEqual([
      [
        'gen_ai.evaluation.result',
        expect.objectContaining({
          'gen_ai.evaluation.name': 'prefer@1',
          'gen_ai.evaluation.score.value': 0,
          'gen_ai.evaluation.score.label': 'b',
          'baton.evaluation.pairwise.consistent': true,
        }),
      ],
    ]);
  });

  it('rejects bad options', () => {
    const model = scripted([choice('A')]);
    for (const options of [
      { model, rubric: '' },
      { rubric: 'r' },
      { model, rubric: 'r', maxReasks: 1.5 },
    ]) {
      let error: unknown;
      try {
        pairwiseJudge(options as never);
      } catch (e) {
        error = e;
      }
      expect(isInvalidDefinitionError(error)).toBe(true);
    }
  });
});

describe('pairwiseJudge with a bad prompt function', () => {
  it('rejects compare with what the prompt threw, and calls no model', async () => {
    const model = fair();
    const judge = pairwiseJudge<DecisionData, ExplanationData>({
      model,
      rubric: 'complete',
      prompt: () => {
        throw new Error('template missing');
      },
    });
    await expect(judge.compare(DECLINED, SHORT, FULL)).rejects.toThrow(/template missing/);
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it('refuses a prompt that returns no text, naming the judge, and calls no model', async () => {
    const model = fair();
    const judge = pairwiseJudge<DecisionData, ExplanationData>({
      model,
      rubric: 'complete',
      prompt: () => undefined as unknown as string,
    });
    await expect(judge.compare(DECLINED, SHORT, FULL)).rejects.toThrow(
      /judge 'pairwise': prompt must return a non-empty string/,
    );
    expect(model.doGenerateCalls).toHaveLength(0);
  });
});
