import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  isGuardViolationError,
  isInvalidDefinitionError,
  isSkipped,
  workflow,
} from '../../src/index.js';
import {
  type Guard,
  groundedGuard,
  guard,
  llmAgent,
  maxLengthGuard,
  regexGuard,
} from '../../src/llm/index.js';
import {
  agentContext,
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

const INVENTED = JSON.stringify({
  summary: 'Declined.',
  reasons: ['high debt-to-income', 'CyberShield Plus rider'],
  confidence: 0.9,
});

const factorsOnly = (onViolation?: 'fail' | 'reask') =>
  groundedGuard<DecisionData, ExplanationData>({
    name: 'known-factors',
    values: (e) => e.reasons,
    allowed: (d) => d.factors,
    ...(onViolation ? { onViolation } : {}),
  });

function explainer(
  model: ReturnType<typeof scripted>,
  guards: readonly Guard<DecisionData, ExplanationData>[],
) {
  return llmAgent({
    name: 'explain',
    version: '1.0.0',
    model,
    input: Decision,
    output: Explanation,
    guards,
  });
}

async function failure(p: Promise<unknown> | unknown): Promise<unknown> {
  return Promise.resolve(p).then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

describe('guards', () => {
  it('refuses an output naming an entity that is not in the input', async () => {
    const model = scripted([INVENTED]);
    const { ctx } = agentContext();
    const error = await failure(explainer(model, [factorsOnly()]).execute(DECLINED, ctx));
    expect(isGuardViolationError(error)).toBe(true);
    expect(error).toMatchObject({
      guard: 'known-factors',
      stage: 'output',
      agent: 'explain@1.0.0',
    });
    expect((error as Error).message).toContain('"CyberShield Plus rider"');
    expect(model.doGenerateCalls).toHaveLength(1); // 'fail' guards do not re-ask
  });

  it('routes a guard failure by the step’s onFailure like any failure', async () => {
    const explain = llmAgent({
      name: 'explain',
      version: '1.0.0',
      model: scripted([INVENTED]),
      input: Decision,
      output: Explanation,
      guards: [factorsOnly()],
      policy: { onFailure: 'skip' },
    });
    const f = workflow('explain-optional', { version: 1, input: Decision })
      .step('explain', explain, { input: (s) => s.input })
      .output((s) => (isSkipped(s.explain) ? 'skipped' : 'explained'));
    env = llmRuntime([f]);
    const run = await env.rt.start(f, DECLINED);
    expect(await run.result()).toBe('skipped');
    const slot = (await env.rt.state(run.id, 2)).data.explain as { reason: string };
    expect(slot.reason).toContain('known-factors');
  });

  it('tells the model why and asks again when the guard re-asks', async () => {
    const model = scripted([INVENTED, GOOD]);
    const { ctx } = agentContext();
    const out = await explainer(model, [factorsOnly('reask')]).execute(DECLINED, ctx);
    expect(out).toEqual(JSON.parse(GOOD));
    expect(lastUserText(model.doGenerateCalls[1]!)).toContain(
      "guard 'known-factors': not grounded in the allowed set",
    );
  });

  it('checks the grounding against the input text by default', async () => {
    const grounded = groundedGuard<DecisionData, ExplanationData>({ values: (e) => e.reasons });
    const { ctx } = agentContext();
    await expect(explainer(scripted([GOOD]), [grounded]).execute(DECLINED, ctx)).resolves.toEqual(
      JSON.parse(GOOD),
    );
    const error = await failure(explainer(scripted([INVENTED]), [grounded]).execute(DECLINED, ctx));
    expect((error as Error).message).toContain('not grounded in the input');
  });

  it('blocks a prompt before any call, with a regex, a length or a guard of your own', async () => {
    const cases: [Guard<DecisionData, ExplanationData>, string][] = [
      [regexGuard({ name: 'no-ids', pattern: /A-\d+/, stage: 'input' }), 'no-ids'],
      [maxLengthGuard({ maxChars: 10, stage: 'input' }), 'max-length-input'],
      [
        guard<DecisionData>({
          name: 'declines-only',
          stage: 'input',
          checkPrompt: (_text, c) =>
            c.input.outcome === 'decline' ? { ok: false, reason: 'nope' } : { ok: true },
        }),
        'declines-only',
      ],
    ];
    for (const [g, name] of cases) {
      const model = scripted([GOOD]);
      const error = await failure(explainer(model, [g]).execute(DECLINED, agentContext().ctx));
      expect(error).toMatchObject({ code: 'GUARD_VIOLATION', guard: name, stage: 'input' });
      expect(model.doGenerateCalls).toHaveLength(0);
    }
  });

  it('refuses an output longer than the limit', async () => {
    const g = maxLengthGuard({ maxChars: 20, stage: 'output' });
    const error = await failure(
      explainer(scripted([GOOD]), [g]).execute(DECLINED, agentContext().ctx),
    );
    expect(error).toMatchObject({ guard: 'max-length-output', stage: 'output' });
  });
});

const Lookup = contract('test.lookup@1', z.object({ code: z.string().regex(/^[A-Z]{3}$/) }));
const Factor = contract('test.factor@1', z.object({ label: z.string() }));

function lookupTool(seen: unknown[]) {
  return agent({
    name: 'lookup-factor',
    version: '1.0.0',
    description: 'Looks up a risk factor by its three-letter code.',
    input: Lookup,
    output: Factor,
    execute: (input) => {
      seen.push(input);
      return { label: input.code === 'DTI' ? 'high debt-to-income' : 'unknown' };
    },
  });
}

describe('tools', () => {
  it('runs Baton agents as tools with contract-checked input and counts tool errors', async () => {
    const seen: unknown[] = [];
    const model = scripted([
      { toolCalls: [{ name: 'delete_everything', input: '{}' }] },
      { toolCalls: [{ name: 'lookup', input: '{"code": 42}' }] },
      { toolCalls: [{ name: 'lookup', input: '{"code": "DTI"}' }] },
      GOOD,
    ]);
    const explain = llmAgent({
      name: 'explain',
      version: '1.0.0',
      model,
      input: Decision,
      output: Explanation,
      tools: { lookup: lookupTool(seen) },
    });
    const { ctx, usage } = agentContext();
    expect(await explain.execute(DECLINED, ctx)).toEqual(JSON.parse(GOOD));
    expect(seen).toEqual([{ code: 'DTI' }]); // only the valid call reached the tool
    expect(model.doGenerateCalls[0]!.tools?.map((t) => t.name)).toEqual(['lookup']);
    // The model saw the tool's output and the errors of the bad calls.
    const last = JSON.stringify(model.doGenerateCalls[3]!.prompt);
    expect(last).toContain('high debt-to-income');
    expect(last).toContain("violates contract 'test.lookup@1'");
    expect(usage.at(-1)?.attributes).toMatchObject({
      'baton.llm.tool_calls': 3,
      'baton.llm.tool_errors': 2,
    });
  });

  it('fails once tool errors pass the bound, without further calls', async () => {
    const model = scripted([{ toolCalls: [{ name: 'nope', input: '{}' }] }]);
    const explain = llmAgent({
      name: 'explain',
      version: '1.0.0',
      model,
      input: Decision,
      output: Explanation,
      tools: { lookup: lookupTool([]) },
      maxSteps: 10,
      maxToolErrors: 2,
    });
    const error = await failure(explain.execute(DECLINED, agentContext().ctx));
    expect(error).toMatchObject({
      code: 'GUARD_VIOLATION',
      guard: 'max-tool-errors',
      stage: 'tool',
    });
    expect(model.doGenerateCalls).toHaveLength(3);
  });

  it('fails when the model is still calling tools at the step limit', async () => {
    const model = scripted([{ toolCalls: [{ name: 'lookup', input: '{"code": "DTI"}' }] }]);
    const explain = llmAgent({
      name: 'explain',
      version: '1.0.0',
      model,
      input: Decision,
      output: Explanation,
      tools: { lookup: lookupTool([]) },
      maxSteps: 3,
    });
    const error = await failure(explain.execute(DECLINED, agentContext().ctx));
    expect(error).toMatchObject({ code: 'GUARD_VIOLATION', guard: 'max-steps' });
    expect(model.doGenerateCalls).toHaveLength(3);
  });
});

describe('definitions', () => {
  it('rejects bad options with InvalidDefinitionError naming the option', () => {
    const base = { name: 'explain', version: '1.0.0', input: Decision, output: Explanation };
    const model = scripted([GOOD]);
    const bad: [Record<string, unknown>, string][] = [
      [{ ...base }, 'model'],
      [{ ...base, model, maxReasks: -1 }, 'maxReasks'],
      [{ ...base, model, maxSteps: 0 }, 'maxSteps'],
      [{ ...base, model, tools: { x: () => 1 } }, 'tools.x'],
      [{ ...base, model, guards: [{ name: 'g', stage: 'middle', checkOutput() {} }] }, 'guards[0]'],
      [{ ...base, model, budget: { maxTokens: 0 } }, 'budget.maxTokens'],
      [{ ...base, model, prices: { m: { input: -1, output: 1 } } }, 'prices.m.input'],
      [{ ...base, model, version: 'one' }, 'version'],
    ];
    for (const [options, name] of bad) {
      let error: unknown;
      try {
        llmAgent(options as never);
      } catch (e) {
        error = e;
      }
      expect(isInvalidDefinitionError(error), name).toBe(true);
      expect((error as Error).message).toContain(name);
    }
  });
});
