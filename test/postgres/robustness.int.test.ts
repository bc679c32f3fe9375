/** Row 14 (in part), on a real PostgreSQL: the id rules hold as on every other backend. */
import { afterEach, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { createRuntime, isInvalidArgumentError, type Runtime, workflow } from '../../src/index.js';
import { Num, numAgent } from '../robustness/fixtures.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

const schemas: string[] = [];
const runtimes: Runtime[] = [];

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
  for (const s of schemas.splice(0)) await dropSchema(s);
});

describeWithPostgres('PostgreSQL robustness', () => {
  it('a run id with NUL is an InvalidArgumentError, not a raw DatabaseError 22021', async () => {
    const schema = uniqueSchema('robust');
    schemas.push(schema);
    const a = numAgent('a');
    const wf = workflow('pg-nul', { version: 1, input: Num })
      .step('a', a.agent, { input: (s) => s.input })
      .output((s) => s.a);
    const rt = createRuntime({
      store: postgresStore({ connectionString: POSTGRES_URL, schema }),
      workflows: [wf],
    });
    runtimes.push(rt);
    const e = await rt.start(wf, 1, { runId: 'bad\u0000id' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain('must not contain a NUL');
    const ok = await rt.start(wf, 1, { runId: 'good-id' });
    expect(await ok.result()).toBe(2);
  });
});
