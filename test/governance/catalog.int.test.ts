import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  event,
  isContractIncompatibleError,
  isContractMismatchError,
  isInvalidArgumentError,
  isInvalidDefinitionError,
  reactor,
  type Schema,
  sqliteStore,
  storeCatalog,
  workflow,
} from '../../src/index.js';
import { MIGRATIONS, MIGRATIONS_TABLE, MIGRATIONS_TABLE_DDL } from '../../src/ledger/migrations.js';
import { tempDbPath } from '../support/temp-db.js';
import { APPLICATION, Application, auditOf, loan, quickLoan } from './fixtures/loan.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempPath(): string {
  const t = tempDbPath('catalog');
  cleanups.push(t.remove);
  return t.path;
}

/** A workflow whose score agent outputs `output` (to register new versions of loan.score). */
function scoring(output: ReturnType<typeof contract>, version = 1) {
  const a = agent({
    name: 'scorer',
    version: '1.0.0',
    input: Application,
    output,
    execute: async () => ({ score: 700 }) as never,
  });
  return workflow(`scoring-${output.version}`, { version, input: Application })
    .step('score', a, { input: (s) => s.input })
    .output((s) => s.score);
}

async function open(
  path: string,
  wfs: Parameters<typeof createRuntime>[0]['workflows'],
  extra = {},
) {
  const rt = createRuntime({ store: sqliteStore(path), workflows: wfs, resume: false, ...extra });
  cleanups.push(() => rt.close());
  return rt;
}

describe('the persisted contract catalog', () => {
  it('registers every contract of a runtime at creation, with schema, PII fields, time and principal', async () => {
    const path = tempPath();
    const rt = await open(path, [loan]);
    await rt.ready();
    const store = sqliteStore(path);
    await store.migrate();
    cleanups.push(() => store.close());
    const entries = await storeCatalog(store).list();
    expect(entries.map((e) => e.contractId)).toEqual([
      'loan.application@1',
      'loan.review@1',
      'loan.score@1',
    ]);
    const app = entries[0]!;
    expect(app).toMatchObject({
      subject: 'loan.application',
      version: 1,
      kind: 'contract',
      mode: 'BACKWARD_TRANSITIVE',
      checked: true,
      registeredBy: 'owner',
      piiPaths: ['/applicant/name', '/applicant/ssn'],
      fingerprint: Application.fingerprint,
    });
    expect(app.jsonSchema).toEqual(Application.jsonSchema);
    const audit = await auditOf(store);
    expect(audit.filter((a) => a.action === 'catalog.register').map((a) => a.securable)).toEqual([
      'contract:loan.application@1',
      'contract:loan.review@1',
      'contract:loan.score@1',
    ]);
  });

  it('accepts a compatible new version from another runtime and refuses an incompatible one, naming each change', async () => {
    const path = tempPath();
    const v1 = contract('loan.score@1', z.object({ score: z.number().int(), band: z.string() }));
    await (await open(path, [scoring(v1)])).ready();
    // Adds an optional field to a closed model: BACKWARD (and transitive) compatible.
    const v2 = contract(
      'loan.score@2',
      z.object({ score: z.number().int(), band: z.string(), note: z.string().optional() }),
    );
    await (await open(path, [scoring(v2)])).ready();
    // Drops `band` and narrows nothing else: breaks readers of @1 and @2.
    const v3 = contract('loan.score@3', z.object({ score: z.number().int() }));
    const wf3 = scoring(v3);
    const rt3 = await open(path, [wf3]);
    const e = await rt3.ready().then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isContractIncompatibleError(e)).toBe(true);
    if (!isContractIncompatibleError(e)) return;
    expect(e.contractId).toBe('loan.score@3');
    expect(e.mode).toBe('BACKWARD_TRANSITIVE');
    expect(e.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: '#/properties/band',
          change: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          version: 2,
        }),
        expect.objectContaining({ path: '#/properties/band', version: 1 }),
      ]),
    );
    await expect(rt3.start(wf3, APPLICATION)).rejects.toMatchObject({
      code: 'CONTRACT_INCOMPATIBLE',
    });
    const store = sqliteStore(path);
    await store.migrate();
    cleanups.push(() => store.close());
    expect((await storeCatalog(store).get('loan.score')).map((x) => x.version)).toEqual([1, 2]);
    const refused = (await auditOf(store)).at(-1)!;
    expect(refused).toMatchObject({
      action: 'catalog.register',
      securable: 'contract:loan.score@3',
      result: 'error',
    });
  });

  it('refuses the same id with another schema, on any runtime of the store', async () => {
    const path = tempPath();
    await (await open(path, [quickLoan])).ready();
    const clash = contract(
      'loan.application@1',
      z.object({ applicant: z.object({ name: z.string() }), amount: z.number() }),
    );
    const rt = await open(path, [
      workflow('clash', { version: 1, input: clash })
        .step(
          'noop',
          agent({
            name: 'n',
            version: '1.0.0',
            input: clash,
            output: clash,
            execute: async (x) => x,
          }),
          { input: (s) => s.input },
        )
        .output((s) => s.noop),
    ]);
    const e = await rt.ready().catch((x: unknown) => x);
    expect(isContractMismatchError(e)).toBe(true);
  });

  it('registers a validator without JSON Schema only under NONE, and lists it as unchecked', async () => {
    const opaque: Schema<{ id: string }> = {
      '~standard': {
        version: 1,
        vendor: 'handmade',
        validate: (v) =>
          typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string'
            ? { value: v as { id: string } }
            : { issues: [{ message: 'expected { id }' }] },
      },
    };
    const Opaque = contract('loan.opaque@1', opaque);
    const wf = workflow('opaque', { version: 1, input: Opaque })
      .step(
        'echo',
        agent({
          name: 'echo',
          version: '1.0.0',
          input: Opaque,
          output: Opaque,
          execute: async (x) => ({ id: x.id }),
        }),
        { input: (s) => s.input },
      )
      .output((s) => s.echo);
    const path = tempPath();
    const refused = await (await open(path, [wf])).ready().catch((x: unknown) => x);
    expect(isInvalidDefinitionError(refused)).toBe(true);
    expect(String(refused)).toContain("contract 'loan.opaque@1' has no JSON Schema");
    const rt = await open(path, [wf], { catalog: { modes: { 'loan.opaque': 'NONE' } } });
    const run = await rt.start(wf, { id: 'x' });
    expect(await run.result()).toEqual({ id: 'x' });
    const store = sqliteStore(path);
    await store.migrate();
    cleanups.push(() => store.close());
    expect(await storeCatalog(store).get('loan.opaque@1')).toEqual([
      expect.objectContaining({ checked: false, mode: 'NONE', jsonSchema: null }),
    ]);
  });

  it('checks a new subject under the mode the runtime declares, and keeps the stored mode afterwards', async () => {
    const path = tempPath();
    const v1 = contract('loan.score@1', z.object({ score: z.number().int() }));
    const v2 = contract(
      'loan.score@2',
      z.object({ score: z.number().int(), note: z.string().optional() }),
    );
    await (
      await open(path, [scoring(v1)], { catalog: { modes: { 'loan.score': 'FULL' } } })
    ).ready();
    // FULL on a closed model forbids adding even an optional field.
    const e = await (await open(path, [scoring(v2)])).ready().catch((x: unknown) => x);
    expect(isContractIncompatibleError(e) && e.mode).toBe('FULL');
    const store = sqliteStore(path);
    await store.migrate();
    cleanups.push(() => store.close());
    const catalog = storeCatalog(store, { principal: 'alice' });
    await catalog.setMode('loan.score', 'BACKWARD');
    await (await open(path, [scoring(v2)])).ready();
    expect((await catalog.get('loan.score@2'))[0]).toMatchObject({ mode: 'BACKWARD' });
    const modeChange = (await auditOf(store)).find((a) => a.action === 'catalog.mode');
    expect(modeChange).toMatchObject({ principal: 'alice', params: { mode: 'BACKWARD' } });
    await expect(catalog.setMode('loan.score', 'SIDEWAYS' as never)).rejects.toSatisfy(
      isInvalidArgumentError,
    );
  });

  it('answers a dry run without writing anything', async () => {
    const path = tempPath();
    const v1 = contract('loan.score@1', z.object({ score: z.number().int() }));
    await (await open(path, [scoring(v1)])).ready();
    const store = sqliteStore(path);
    await store.migrate();
    cleanups.push(() => store.close());
    const catalog = storeCatalog(store);
    const before = (await auditOf(store)).length;
    const ok = contract('loan.score@2', z.object({ score: z.number() }));
    const bad = contract('loan.score@3', z.object({ score: z.string() }));
    const checks = await catalog.check([v1, ok, bad]);
    expect(checks.map((c) => [c.id, c.outcome])).toEqual([
      ['loan.score@1', 'registered'],
      ['loan.score@2', 'new'],
      ['loan.score@3', 'incompatible'],
    ]);
    expect(checks[2]!.problems[0]).toMatchObject({
      path: '#/properties/score',
      change: 'TYPE_CHANGED',
    });
    expect((await auditOf(store)).length).toBe(before);
    expect((await catalog.get('loan.score')).map((e) => e.contractId)).toEqual(['loan.score@1']);
  });

  it('registers the event types of reactors, and records a change of named rules', async () => {
    const path = tempPath();
    const Approved1 = event(
      'loan.approved@1',
      z.object({ id: z.string() }).meta({ rules: { 'four-eyes': 1 } }),
    );
    const Approved2 = event(
      'loan.approved@2',
      z.object({ id: z.string(), by: z.string().optional() }).meta({ rules: { 'four-eyes': 2 } }),
    );
    const on = (e: typeof Approved1 | typeof Approved2) =>
      reactor({ name: `notify-${e.version}`, version: '1.0.0', on: e, handle: async () => {} });
    await (await open(path, [], { reactors: [on(Approved1)] })).ready();
    await (await open(path, [], { reactors: [on(Approved2)] })).ready();
    const store = sqliteStore(path);
    await store.migrate();
    cleanups.push(() => store.close());
    const entries = await storeCatalog(store).get('loan.approved');
    expect(entries.map((e) => [e.kind, e.rules])).toEqual([
      ['event', { 'four-eyes': 1 }],
      ['event', { 'four-eyes': 2 }],
    ]);
    const reg = (await auditOf(store)).find((a) => a.securable === 'event:loan.approved@2');
    expect(reg?.detail).toMatchObject({ rulesChanged: { changed: ['four-eyes'] } });
  });

  it('opens a store written by the previous release, migrates it and runs', async () => {
    const path = tempPath();
    const db = new Database(path);
    db.exec(MIGRATIONS_TABLE_DDL.sqlite);
    for (const m of MIGRATIONS.filter((x) => x.id < 3)) {
      for (const sql of m.sqlite) db.exec(sql);
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (id, name, applied_at) VALUES (?, ?, ?)`).run(
        m.id,
        m.name,
        Date.now(),
      );
    }
    db.close();
    const rt = await open(path, [quickLoan]);
    const run = await rt.start(quickLoan, APPLICATION);
    expect(await run.result()).toEqual({ score: 742 });
    const check = new Database(path, { readonly: true });
    const ids = check.prepare(`SELECT id FROM ${MIGRATIONS_TABLE} ORDER BY id`).pluck().all();
    check.close();
    expect(ids).toEqual(MIGRATIONS.map((m) => m.id));
  });
});
