import { agent, contract, createRuntime, sqliteStore, workflow } from 'baton-runtime';
import { z } from 'zod';

const Application = contract('app@1', z.object({ applicantId: z.string(), amount: z.number() }));
const Score = contract('score@1', z.object({ score: z.number() }));
const score = agent({
  name: 'credit-score',
  version: '1.0.0',
  input: Application,
  output: Score,
  execute: async () => ({ score: 742 }),
});
const credit = workflow('credit', {
  version: 1,
  input: Application,
  // Indexed search attributes, derived from each run's input.
  searchable: (app) => ({ applicant: app.applicantId }),
})
  .step('score', score, { input: (s) => s.input })
  .output((s) => s.score);

const rt = createRuntime({ store: sqliteStore('baton.db'), workflows: [credit] });
const run = await rt.start(
  credit,
  { applicantId: 'app-134', amount: 5_000 },
  { tags: { channel: 'web' } },
);

// Find runs by business key, one keyset page at a time.
const page = await rt.listRuns({ where: { applicant: 'app-134' }, limit: 20 });
const next = await rt.listRuns({ where: { applicant: 'app-134' }, cursor: page.at(-1)?.runId });

// Live events from any process on the store; resume with the last cursor, miss nothing.
for await (const e of rt.watch(run.id)) console.log(e.cursor, e.type, e.step, e.status);
console.log(page.length, next.length, await rt.workflowShapes('credit'));
await rt.close();
