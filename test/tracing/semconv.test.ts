/**
 * Baton's GenAI span attributes against the names OpenTelemetry publishes
 * (`@opentelemetry/semantic-conventions`), not hand-typed strings: a backend that understands the
 * GenAI conventions reads Baton's model calls without configuration.
 */
import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { agent, TRACE_NAMES, workflow } from '../../src/index.js';
import { type App, Application, Score, scoreOf } from '../orchestrator/fixtures.js';
import { spansOf, tracedRuntime } from './helpers.js';

/** Every `gen_ai.*` attribute name the conventions define. */
const GEN_AI_NAMES = new Set(
  Object.entries(semconv)
    .filter(([key, value]) => key.startsWith('ATTR_GEN_AI_') && typeof value === 'string')
    .map(([, value]) => value as string),
);

describe('GenAI span attributes', () => {
  it('use the semantic conventions’ names for the model and its token usage', () => {
    expect(TRACE_NAMES.model).toBe(semconv.ATTR_GEN_AI_REQUEST_MODEL);
    expect(TRACE_NAMES.inputTokens).toBe(semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS);
    expect(TRACE_NAMES.outputTokens).toBe(semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS);
  });

  it('every gen_ai attribute on a traced run is a defined convention, with the usage reported', async () => {
    const score = agent({
      name: 'score',
      version: '1.0.0',
      input: Application,
      output: Score,
      execute: async (a, ctx) => {
        ctx.usage({ model: 'judge-small', inputTokens: 120, outputTokens: 7 });
        return { score: scoreOf(a as App) };
      },
    });
    const wf = workflow('semconv', { version: 1, input: Application })
      .step('score', score, { input: (s) => s.input })
      .output((s) => s.score);
    const traced = tracedRuntime([wf as never]);
    const run = await traced.rt.start(wf, {
      id: 'a-1',
      income: 50_000,
      debt: 1_000,
      history: 0.9,
      flags: 0,
    });
    await run.result();
    await traced.tracing.flush();

    const spans = spansOf(traced.exporter).all;
    const genAi = spans.flatMap((s) =>
      Object.keys(s.attributes).filter((k) => k.startsWith('gen_ai.')),
    );
    expect(genAi.length).toBeGreaterThan(0);
    for (const name of genAi) expect(GEN_AI_NAMES, name).toContain(name);
    const call = spans.find((s) => s.attributes[semconv.ATTR_GEN_AI_REQUEST_MODEL] !== undefined)!;
    expect(call.attributes).toMatchObject({
      [semconv.ATTR_GEN_AI_REQUEST_MODEL]: 'judge-small',
      [semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 120,
      [semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 7,
    });
    await traced.close();
  });
});
