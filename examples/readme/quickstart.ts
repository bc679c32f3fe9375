import {
  agent,
  contract,
  createRuntime,
  createTracing,
  sqliteStore,
  workflow,
} from 'baton-runtime';
import { z } from 'zod';

// Contracts: named, versioned schemas, checked at every handoff.
const Application = contract(
  'credit.application@1',
  z.object({ applicantId: z.string(), income: z.number().positive(), debt: z.number().min(0) }),
);
const Score = contract('credit.score@1', z.object({ score: z.number().int().min(300).max(850) }));
const Decision = contract(
  'credit.decision@1',
  z.object({ outcome: z.enum(['approve', 'refer', 'decline']) }),
);

// Agents: plain functions from a frozen input to new data.
const score = agent({
  name: 'credit-score',
  version: '1.0.0',
  input: Application,
  output: Score,
  execute: async (app) => ({ score: app.debt / app.income < 0.3 ? 742 : 610 }),
});
const decide = agent({
  name: 'final-approval',
  version: '1.0.0',
  input: Score,
  output: Decision,
  execute: async ({ score }) => ({
    outcome: score >= 700 ? 'approve' : score >= 600 ? 'refer' : 'decline',
  }),
});

// A workflow: a typed DAG. `s.score` is typed because `decision` needs `score`.
export const credit = workflow('credit-decision', { version: 1, input: Application })
  .step('score', score, { input: (s) => s.input })
  .step('decision', decide, { needs: ['score'], input: (s) => s.score })
  .output((s) => s.decision);

// Spans go to the store too, so `npx baton trace <run>` needs no other system.
const store = sqliteStore('baton.db');
const rt = createRuntime({ store, workflows: [credit], telemetry: createTracing({ store }) });
const run = await rt.start(credit, { applicantId: 'a-1', income: 85_000, debt: 12_000 });
console.log(await run.result()); // { outcome: 'approve' }

for (const v of await rt.history(run.id))
  console.log(v.version, v.step, v.createdBy, v.hash.slice(0, 8));
console.log(await rt.diff(run.id, 1, 3)); // path-level changes between versions
console.log(await rt.verify(run.id)); // { ok: true, versions: 3, headHash: '…', end: 'sealed' }
await rt.close(); // writes the last spans, then closes the store
console.log(`npx baton show ${run.id}; npx baton trace ${run.id}`);
