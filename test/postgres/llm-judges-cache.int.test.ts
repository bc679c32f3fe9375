/**
 * Judge labels and the store-backed response cache on PostgreSQL: labels written by one runtime
 * are reported by another on the same schema, and two gateways share cached answers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { agent, createRuntime, createTracing, workflow } from '../../src/index.js';
import { createModelGateway, llmAgent, llmJudge, storeResponseCache } from '../../src/llm/index.js';
import {
  agentContext,
  DECLINED,
  Decision,
  Explanation,
  type ExplanationData,
  GOOD,
  scripted,
} from '../llm/helpers.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

describeWithPostgres('judge labels and the response cache on PostgreSQL', () => {
  const schema = uniqueSchema('llm_judges');
  const open = () => postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 });

  beforeAll(async () => {
    const s = open();
    await s.migrate();
    await s.close();
  });
  afterAll(() => dropSchema(schema));

  it('reports labels recorded by one runtime from another on the same schema', async () => {
    const writer = agent({
      name: 'writer',
      version: '1.0.0',
      input: Decision,
      output: Explanation,
      execute: () => JSON.parse(GOOD) as ExplanationData,
    });
    const judge = llmJudge({
      name: 'faithful',
      model: scripted([JSON.stringify({ score: 0.9, rationale: 'ok' })]),
      rubric: 'no invented factor',
    });
    const f = workflow('pg-labelled', { version: 1, input: Decision })
      .step('explain', writer, { input: (s) => s.input, evaluate: [judge] })
      .output((s) => s.explain);
    const store = open();
    const rt = createRuntime({ store, workflows: [f], telemetry: createTracing({ store }) });
    const run = await rt.start(f, DECLINED);
    await run.result();
    await rt.label(run.id, 'explain', 'fail', { note: 'invented' });
    await rt.close();

    const other = createRuntime({ store: open(), resume: false });
    try {
      const report = await other.judges();
      expect(report.labels).toBe(1);
      expect(report.judges).toEqual([
        expect.objectContaining({ judge: 'faithful', labelled: 1, judgeOnlyPass: 1, accuracy: 0 }),
      ]);
    } finally {
      await other.close();
    }
  });

  it('shares cached answers between two gateways on one schema', async () => {
    const [one, two] = [open(), open()];
    try {
      await one.migrate();
      await two.migrate();
      const model = scripted([GOOD]);
      const explainer = (store: typeof one) =>
        llmAgent({
          name: 'explain',
          version: '1.0.0',
          model: createModelGateway({
            models: { main: { model } },
            cache: storeResponseCache(store, { ttlMs: 60_000 }),
          }).model('main'),
          input: Decision,
          output: Explanation,
          settings: { temperature: 0 },
        });
      await explainer(one).execute(DECLINED, agentContext().ctx);
      const { ctx, usage } = agentContext();
      expect(await explainer(two).execute(DECLINED, ctx)).toEqual(JSON.parse(GOOD));
      expect(model.doGenerateCalls).toHaveLength(1);
      expect(usage[0]!.attributes).toMatchObject({ 'baton.llm.cache_hit': true });
    } finally {
      await one.close();
      await two.close();
    }
  });
});
