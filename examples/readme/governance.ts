import { readFileSync } from 'node:fs';
import {
  agent,
  auditLog,
  checkCompatibility,
  contract,
  createRuntime,
  type JsonSchema,
  sqliteStore,
  workflow,
} from 'baton-runtime';
import { z } from 'zod';

// Fields tagged PII are masked for anyone without READ_PII (history, state, diff, audit params).
const Application = contract(
  'credit.application@1',
  z.object({
    applicantId: z.string(),
    ssn: z.string().meta({ pii: true }),
    income: z.number().positive(),
  }),
);
const Score = contract('credit.score@1', z.object({ score: z.number().int().min(300).max(850) }));
const score = agent({
  name: 'credit-score',
  version: '1.0.0',
  input: Application,
  output: Score,
  execute: async (app) => ({ score: app.income > 50_000 ? 742 : 610 }),
});
const credit = workflow('credit-decision', { version: 1, input: Application })
  .step('score', score, { input: (s) => s.input })
  .output((s) => s.score);

// Creating the runtime registers every contract in the store's catalog, checked against the
// versions other runtimes registered before (BACKWARD_TRANSITIVE unless the subject says else).
const rt = createRuntime({ store: sqliteStore('governance.db'), workflows: [credit] });

// The same rules as a pure function, e.g. in a test of a contract change:
const v2 = z.object({ score: z.number().int().min(300).max(900), band: z.string().optional() });
const verdict = checkCompatibility(
  [Score.jsonSchema as JsonSchema],
  z.toJSONSchema(v2, { io: 'output' }) as JsonSchema,
  'FULL',
); // { compatible: false, problems: [{ path: '#/properties/band', change: ..., direction: 'forward' }, ...] }

// No grants: a single owner, everything allowed. The first grant turns enforcement on.
const admin = rt.as('admin');
await admin.grant('admin', 'MANAGE', '*');
await admin.grant('operator', 'EXECUTE', 'workflow:credit-decision');
await admin.grant('analyst', 'READ', 'workflow:credit-*');

const run = await rt
  .as('operator')
  .start(credit, { applicantId: 'A-1', ssn: '529-14-7781', income: 84_000 });
await run.result();
const [v1] = await rt.as('analyst').history(run.id); // v1.data.input.ssn === '[pii]'
await rt
  .as('analyst')
  .cancel(run.id)
  .catch((e: Error) => e.message);
// 'analyst may not cancel (needs CANCEL on workflow:credit-decision@1)' — and the denial is audited

// The auditor: a checkpoint signed with a key kept off the database host, verified later.
const store = sqliteStore('governance.db');
await store.migrate();
const checkpoint = await auditLog(store).checkpoint(readFileSync('audit.pem', 'utf8'));
const report = await auditLog(store).verify({ checkpoint, publicKey: checkpoint.publicKey });
console.log(verdict.compatible, v1?.data.input, report.ok); // false { ..., ssn: '[pii]' } true
await store.close();
await rt.close();
