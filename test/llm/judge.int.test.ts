import { afterEach, describe, expect, it } from 'vitest';
import { agent, isInvalidDefinitionError, isRunFailedError, workflow } from '../../src/index.js';
import { llmAgent, llmJudge } from '../../src/llm/index.js';
import { untilStatus } from '../orchestrator/helpers.js';
import {
  DECLINED,
  Decision,
  type DecisionData,
  Explanation,
  type ExplanationData,
  GOOD,
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

const verdict = (score: number) =>
  JSON.stringify({ score, label: 'x', rationale: `scored ${score}` });
const RUBRIC = 'Every reason is one of the decision factors; nothing is invented.';

function judgedFlow(
  judgeReplies: Parameters<typeof scripted>[0],
  onFailure: 'fail' | 'human' = 'fail',
) {
  const judgeModel = scripted(judgeReplies, { modelId: 'judge-model' });
  const faithful = llmJudge<DecisionData, ExplanationData>({
    name: 'faithful',
    model: judgeModel,
    rubric: RUBRIC,
    minScore: 0.7,
  });
  const explain = llmAgent({
    name: 'explain',
    version: '1.0.0',
    model: scripted([GOOD]),
    input: Decision,
    output: Explanation,
    evaluate: [faithful],
    policy: { onFailure, retry: { maxAttempts: 1 } },
  });
  const f = workflow('judged', { version: 1, input: Decision })
    .step('explain', explain, { input: (s) => s.input })
    .output((s) => s.explain);
  return { f, judgeModel };
}

describe('llmJudge', () => {
  it('scores the output against the rubric, lets it through above minScore, and records the score', async () => {
    const { f, judgeModel } = judgedFlow([verdict(0.9)]);
    env = llmRuntime([f]);
    const run = await env.rt.start(f, DECLINED);
    expect(await run.result()).toEqual(JSON.parse(GOOD));
    const call = judgeModel.doGenerateCalls[0]!;
    expect(JSON.stringify(call.prompt[0])).toContain(RUBRIC);
    expect(lastUserText(call)).toContain('Output to judge');
    expect(lastUserText(call)).toContain('short credit history');
    await env.tracing.flush();
    const attempt = (await env.rt.trace(run.id)).find((s) => s.kind === 'attempt')!;
    expect(attempt.attributes).toMatchObject({
      'baton.evaluation.faithful.score': 0.9,
      'baton.evaluation.faithful.passed': true,
    });
    const event = attempt.events.find((e) => e.name === 'gen_ai.evaluation.result')!;
    expect(event.attributes).toMatchObject({
      'gen_ai.evaluation.name': 'faithful',
      'gen_ai.evaluation.score.value': 0.9,
      'gen_ai.evaluation.explanation': 'scored 0.9',
      'baton.evaluation.passed': true,
    });
  });

  it('gates the handoff: a score below minScore fails the step like a contract', async () => {
    const { f } = judgedFlow([verdict(0.3)]);
    env = llmRuntime([f]);
    const run = await env.rt.start(f, DECLINED);
    const error = await run.result().catch((e: unknown) => e);
    expect(isRunFailedError(error)).toBe(true);
    const record = await env.rt.getRun(run.id);
    expect(record.error).toMatchObject({ code: 'CONTRACT_VIOLATION', step: 'explain' });
    expect(record.error?.details).toMatchObject({ contractId: 'evaluator:faithful' });
    expect(record.headVersion).toBe(1); // the rejected output never became a version
    await env.tracing.flush();
    const attempt = (await env.rt.trace(run.id)).find((s) => s.kind === 'attempt')!;
    expect(attempt.attributes['baton.evaluation.faithful.score']).toBe(0.3);
  });

  it('routes a failed gate by the policy: human review parks the run', async () => {
    const { f } = judgedFlow([verdict(0.1)], 'human');
    let alerted!: (alert: string) => void;
    const alert = new Promise<string>((resolve) => {
      alerted = resolve;
    });
    env = llmRuntime([f], { onAlert: (a) => alerted(`${a.kind}:${a.step}`) });
    const run = await env.rt.start(f, DECLINED);
    expect(await alert).toBe('review:explain');
    await untilStatus(env.rt, run.id, 'waiting');
    expect((await env.rt.getRun(run.id)).waitingFor).toBeTruthy();
  });

  it('re-asks once when the verdict is malformed', async () => {
    const { f, judgeModel } = judgedFlow(['{"score": 7, "rationale": "great"}', verdict(0.8)]);
    env = llmRuntime([f]);
    const run = await env.rt.start(f, DECLINED);
    await run.result();
    expect(judgeModel.doGenerateCalls).toHaveLength(2);
    expect(lastUserText(judgeModel.doGenerateCalls[1]!)).toContain('score:');
  });

  it('judges any agent, as a step evaluator', async () => {
    const judgeModel = scripted([verdict(1)]);
    const plain = agent({
      name: 'rules',
      version: '1.0.0',
      input: Decision,
      output: Explanation,
      execute: () => JSON.parse(GOOD) as ExplanationData,
    });
    const f = workflow('plain-judged', { version: 1, input: Decision })
      .step('explain', plain, {
        input: (s) => s.input,
        evaluate: [llmJudge({ model: judgeModel, rubric: RUBRIC })],
      })
      .output((s) => s.explain);
    env = llmRuntime([f]);
    await (await env.rt.start(f, DECLINED)).result();
    expect(judgeModel.doGenerateCalls).toHaveLength(1);
  });

  it('rejects bad options', () => {
    const model = scripted([verdict(1)]);
    for (const options of [
      { model, rubric: '' },
      { model, rubric: 'r', minScore: 2 },
      { model, rubric: 'r', maxReasks: -1 },
      { rubric: 'r' },
    ]) {
      let error: unknown;
      try {
        llmJudge(options as never);
      } catch (e) {
        error = e;
      }
      expect(isInvalidDefinitionError(error)).toBe(true);
    }
  });
});
