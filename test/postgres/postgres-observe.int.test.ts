/**
 * PostgreSQL: a schema of the previous release upgrades and runs; `rt.watch` in one runtime sees
 * runs another runtime (its own pool: another "process") writes, woken by LISTEN/NOTIFY, and
 * resumes across a reconnect without a gap.
 */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { createRuntime, type RunEvent, type Runtime } from '../../src/index.js';
import { MIGRATIONS, MIGRATIONS_TABLE, MIGRATIONS_TABLE_DDL } from '../../src/ledger/migrations.js';
import { journalEntry, sampleRun } from '../../src/testing/state-store-fixtures.js';
import { loanWorkflow } from '../observe/fixtures/workflows.js';
import {
  adminQuery,
  describeWithPostgres,
  dropSchema,
  POSTGRES_URL,
  uniqueSchema,
} from './server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function runtime(schema: string, resume = true): Runtime {
  const rt = createRuntime({
    store: postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 4 }),
    resume,
    pollMs: 100,
  });
  cleanups.unshift(() => rt.close());
  return rt;
}

describeWithPostgres('postgres: observe', () => {
  it('upgrades a schema of the previous release and runs on it', async () => {
    const schema = uniqueSchema('upgrade');
    cleanups.push(() => dropSchema(schema));
    await adminQuery(`CREATE SCHEMA ${schema}`);
    await adminQuery(`SET search_path TO ${schema}; ${MIGRATIONS_TABLE_DDL.postgres}`);
    for (const m of MIGRATIONS.filter((x) => x.id <= 2)) {
      await adminQuery(`SET search_path TO ${schema}; ${m.postgres.join(';\n')}`);
      await adminQuery(
        `INSERT INTO ${schema}.${MIGRATIONS_TABLE} (id, name, applied_at) VALUES (${m.id}, '${m.name}', 1)`,
      );
    }
    await adminQuery(
      `INSERT INTO ${schema}.journal (run_id, type, at) VALUES ('old', 'run.started', 1)`,
    );
    const rt = runtime(schema);
    await rt.ready();
    const run = await rt.start(loanWorkflow(), { applicant: 'pg', amount: 1, product: 'p' });
    await run.result();
    expect((await rt.listRuns({ where: { applicant: 'pg' } })).map((r) => r.runId)).toEqual([
      run.id,
    ]);
    const events: RunEvent[] = [];
    for await (const e of rt.watch(run.id)) events.push(e);
    expect(events.at(-1)?.status).toBe('completed');
  });

  it('watches runs another runtime writes, resuming with the last cursor', async () => {
    const schema = uniqueSchema('watch');
    cleanups.push(() => dropSchema(schema));
    const writer = runtime(schema);
    const reader = runtime(schema, false);
    await writer.ready();
    await reader.ready();
    const wf = loanWorkflow();
    // The first run marks where the watch starts.
    const first = await writer.start(wf, { applicant: 'a0', amount: 1, product: 'p' });
    await first.result();
    const from: RunEvent[] = [];
    for await (const e of reader.watch(first.id)) from.push(e);
    const count = 4;
    const writing = (async () => {
      const ids: string[] = [];
      for (let i = 1; i <= count; i++) {
        const r = await writer.start(wf, { applicant: `a${i}`, amount: 1, product: 'p' });
        await r.result();
        ids.push(r.id);
      }
      return ids;
    })();
    const seen: RunEvent[] = [];
    const completed = new Set<string>();
    let cursor = from.at(-1)!.cursor;
    while (completed.size < count) {
      let taken = 0;
      for await (const e of reader.watch({ workflow: 'loan' }, { after: cursor, pollMs: 2000 })) {
        seen.push(e);
        cursor = e.cursor;
        if (e.status === 'completed') completed.add(e.runId);
        if (++taken === 4 || completed.size === count) break;
      }
    }
    const ids = await writing;
    expect([...completed].sort()).toEqual([...ids].sort());
    const all: RunEvent[] = [];
    const stop = new AbortController();
    for await (const e of reader.watch(
      { workflow: 'loan' },
      { after: from.at(-1)!.cursor, signal: stop.signal },
    )) {
      all.push(e);
      if (all.length === seen.length) stop.abort();
    }
    expect(seen.map((e) => e.cursor)).toEqual(all.map((e) => e.cursor));
    expect(new Set(seen.map((e) => e.cursor)).size).toBe(seen.length);
  });

  it('never passes an entry of a writer still in flight, and ignores transactions elsewhere', async () => {
    const schema = uniqueSchema('horizon');
    cleanups.push(() => dropSchema(schema));
    const store = postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 2 });
    await store.migrate();
    cleanups.unshift(() => store.close());
    await store.createRun(sampleRun('held', { journal: [journalEntry('held', 'run.started', 1)] }));
    const start = await store.changes.head();
    const client = async () => {
      const c = new pg.Client({
        connectionString: POSTGRES_URL,
        options: `-c search_path=${schema}`,
      });
      await c.connect();
      cleanups.unshift(() => c.end());
      return c;
    };
    // A long transaction in another schema holds nothing back.
    const elsewhere = await client();
    await elsewhere.query('BEGIN');
    await elsewhere.query('SET LOCAL search_path TO public');
    await elsewhere.query('SELECT pg_current_xact_id()');
    await store.createRun(sampleRun('a', { journal: [journalEntry('a', 'run.started', 2)] }));
    expect(
      (await store.changes.read({ after: start, limit: 10 })).map((c) => c.entry.runId),
    ).toEqual(['a']);
    const afterA = await store.changes.head();
    // A writer of this schema that took its transaction id first and journals last.
    const writer = await client();
    await writer.query('BEGIN');
    await writer.query("SELECT * FROM runs WHERE run_id = 'held' FOR UPDATE");
    await writer.query('SELECT pg_current_xact_id()');
    await store.createRun(sampleRun('b', { journal: [journalEntry('b', 'run.started', 3)] }));
    expect(await store.changes.read({ after: afterA, limit: 10 })).toEqual([]);
    await writer.query(
      "INSERT INTO journal (run_id, type, at) VALUES ('held', 'signal.received', 4)",
    );
    await writer.query('COMMIT');
    const rest = await store.changes.read({ after: afterA, limit: 10 });
    expect(rest.map((c) => [c.entry.runId, c.entry.type])).toEqual([
      ['held', 'signal.received'],
      ['b', 'run.started'],
    ]);
    await elsewhere.query('ROLLBACK');
  });
});
