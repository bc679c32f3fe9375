/**
 * Rows 7 and 16 on a real PostgreSQL: a read-only store never creates its schema and refuses
 * writes; the CLI's read commands create nothing; two runtimes publishing one contract id with
 * different schemas are refused through the persisted catalog.
 */
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { postgresStore } from '../../src/backends/postgres/index.js';
import {
  agent,
  type Contract,
  type ContractMismatchError,
  contract,
  createRuntime,
  isContractMismatchError,
  isNotABatonStoreError,
  isStoreReadOnlyError,
  type Runtime,
  workflow,
} from '../../src/index.js';
import { baton, ensureBuilt } from '../cli/helpers.js';
import { Num, numAgent } from '../robustness/fixtures.js';
import {
  adminQuery,
  describeWithPostgres,
  dropSchema,
  POSTGRES_URL,
  uniqueSchema,
} from './server.js';

const schemas: string[] = [];
const runtimes: Runtime[] = [];
const databases: string[] = [];

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
  for (const s of schemas.splice(0)) await dropSchema(s);
  for (const d of databases.splice(0)) await adminQuery(`DROP DATABASE IF EXISTS ${d}`);
});

const schemaExists = async (schema: string) =>
  (await adminQuery('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length === 1;

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

function track(rt: Runtime): Runtime {
  runtimes.push(rt);
  return rt;
}

describeWithPostgres('PostgreSQL read-only stores', () => {
  it('a fresh schema name: NotABatonStoreError and no schema created', async () => {
    const schema = uniqueSchema('ro');
    schemas.push(schema);
    const store = postgresStore({ connectionString: POSTGRES_URL, schema, readOnly: true });
    const e = await failure(store.migrate());
    await store.close();
    expect(isNotABatonStoreError(e)).toBe(true);
    expect((e as Error).message).toContain(`schema '${schema}' does not exist`);
    expect(await schemaExists(schema)).toBe(false);
  });

  it('a real store: reads work, writes are refused and nothing changes', async () => {
    const schema = uniqueSchema('ro');
    schemas.push(schema);
    const wf = workflow('pg-ro', { version: 1, input: Num })
      .step('a', numAgent('a').agent, { input: (s) => s.input })
      .output((s) => s.a);
    const writer = track(
      createRuntime({
        store: postgresStore({ connectionString: POSTGRES_URL, schema }),
        workflows: [wf],
      }),
    );
    const run = await writer.start(wf, 1);
    await run.result();
    const reader = track(
      createRuntime({
        store: postgresStore({ connectionString: POSTGRES_URL, schema, readOnly: true }),
        workflows: [wf],
      }),
    );
    await reader.ready();
    expect((await reader.getRun(run.id)).status).toBe('completed');
    expect((await reader.verify(run.id)).ok).toBe(true);
    const e = await failure(reader.start(wf, 2));
    expect(isStoreReadOnlyError(e)).toBe(true);
    expect(await reader.listRuns({})).toHaveLength(1);

    // The CLI reaches the same schema with --schema (or $BATON_SCHEMA), read-only.
    await ensureBuilt();
    const shown = await baton(['--store', POSTGRES_URL, '--schema', schema, '--json', 'runs']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).runs.map((r: { runId: string }) => r.runId)).toEqual([run.id]);
    const verified = await baton(['--store', POSTGRES_URL, '--schema', schema, 'verify', run.id]);
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('baton runs on a database without a Baton schema creates no schema', async () => {
    await ensureBuilt();
    const db = `baton_ro_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    databases.push(db);
    await adminQuery(`CREATE DATABASE ${db}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${db}`;
    const r = await baton(['--store', url.toString(), 'runs']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a Baton store');
    const found = await adminQuery(`SELECT 1 FROM pg_database WHERE datname = $1`, [db]);
    expect(found).toHaveLength(1);
    // The server's own view: no schema named baton in that database.
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const rows = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = 'baton'");
      expect(rows.rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });
});

describeWithPostgres('one contract id, two runtimes on one PostgreSQL schema', () => {
  function usesContract(name: string, c: Contract<Record<string, unknown>>) {
    const a = agent({ name, version: '1.0.0', input: c, output: Num, execute: async () => 1 });
    return workflow(name, { version: 1, input: c })
      .step('x', a, { input: (s) => s.input })
      .output((s) => s.x);
  }

  it('refuses a second schema (exactly one of two concurrent starts registers), accepts the same one', async () => {
    const schema = uniqueSchema('dup');
    schemas.push(schema);
    const store = () => postgresStore({ connectionString: POSTGRES_URL, schema });
    await track(createRuntime({ store: store() })).ready();
    const A = contract('dup@1', z.object({ a: z.number() }));
    const B = contract('dup@1', z.object({ b: z.string() }));
    const pair = [usesContract('uses-a', A), usesContract('uses-b', B)].map((wf) =>
      track(createRuntime({ store: store(), workflows: [wf] })),
    );
    const outcomes = await Promise.allSettled(pair.map((rt) => rt.ready()));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = (outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason;
    expect(isContractMismatchError(refused)).toBe(true);
    const m = refused as ContractMismatchError;
    expect(m.contractId).toBe('dup@1');
    expect([m.registeredFingerprint, m.newFingerprint].sort()).toEqual(
      [A.fingerprint, B.fingerprint].sort(),
    );
    expect(m.differences.map((d) => d.path)).toEqual(
      expect.arrayContaining(['#/properties/a', '#/properties/b']),
    );
    const same = contract(
      'dup@1',
      z.object(outcomes[0]!.status === 'fulfilled' ? { a: z.number() } : { b: z.string() }),
    );
    await track(createRuntime({ store: store(), workflows: [usesContract('same', same)] })).ready();
  });
});
