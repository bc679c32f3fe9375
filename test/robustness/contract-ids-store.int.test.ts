/**
 * Row 16 (the rest): two different schemas under one contract id, created in different runtimes
 * on the same SQLite file, are refused by the store's persisted catalog; the same schema twice
 * is fine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  type Contract,
  type ContractMismatchError,
  contract,
  createRuntime,
  isContractMismatchError,
  type Runtime,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Num } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A workflow whose input is `c`, under a name of its own. */
function usesContract(name: string, c: Contract<Record<string, unknown>>) {
  const a = agent({ name, version: '1.0.0', input: c, output: Num, execute: async () => 1 });
  return workflow(name, { version: 1, input: c })
    .step('x', a, { input: (s) => s.input })
    .output((s) => s.x);
}

async function open(path: string, wf: ReturnType<typeof usesContract>): Promise<Runtime> {
  const rt = createRuntime({ store: sqliteStore(path), workflows: [wf] });
  cleanups.push(() => rt.close());
  await rt.ready();
  return rt;
}

describe('one contract id, two runtimes on one SQLite file', () => {
  it('refuses the second schema with ContractMismatchError naming the id and both fingerprints', async () => {
    const db = tempDbPath('dup');
    cleanups.push(db.remove);
    const A = contract('dup@1', z.object({ a: z.number() }));
    const B = contract('dup@1', z.object({ b: z.string() }));
    expect(A.fingerprint).not.toBe(B.fingerprint);
    const usesA = usesContract('uses-a', A);
    const first = await open(db.path, usesA);
    const e = await open(db.path, usesContract('uses-b', B)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isContractMismatchError(e)).toBe(true);
    const m = e as ContractMismatchError;
    expect(m.contractId).toBe('dup@1');
    expect(m.registeredFingerprint).toBe(A.fingerprint);
    expect(m.newFingerprint).toBe(B.fingerprint);
    expect(m.message).toContain("'dup@1'");
    // What differs, at JSON pointers into the two schemas.
    expect(m.differences).toEqual(
      expect.arrayContaining([
        { path: '#/properties/a', kind: 'removed' },
        { path: '#/properties/b', kind: 'added' },
      ]),
    );
    expect(m.message).toContain('#/properties/a removed');
    // The first runtime keeps working, and its run is untouched by the refusal.
    const run = await first.start(usesA, { a: 1 });
    expect(await run.result()).toBe(1);
  });

  it('refuses it as well when the workflow arrives later, at rt.start, and writes no run', async () => {
    const db = tempDbPath('dup-late');
    cleanups.push(db.remove);
    const A = contract('dup@1', z.object({ a: z.number() }));
    const B = contract('dup@1', z.object({ b: z.string() }));
    await open(db.path, usesContract('uses-a', A));
    const other = createRuntime({ store: sqliteStore(db.path) });
    cleanups.push(() => other.close());
    const e = await other.start(usesContract('uses-b', B), { b: 'x' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isContractMismatchError(e)).toBe(true);
    expect(await other.listRuns({ workflow: 'uses-b' })).toEqual([]);
  });

  it('of two runtimes starting at once with different schemas, exactly one registers', async () => {
    const db = tempDbPath('dup-race');
    cleanups.push(db.remove);
    // The file is created first, so both runtimes open a migrated store.
    await open(db.path, usesContract('plain', contract('other@1', z.object({ o: z.number() }))));
    const A = contract('race@1', z.object({ a: z.number() }));
    const B = contract('race@1', z.object({ a: z.string() }));
    const runtimes = [usesContract('race-a', A), usesContract('race-b', B)].map((wf) => {
      const rt = createRuntime({ store: sqliteStore(db.path), workflows: [wf] });
      cleanups.push(() => rt.close());
      return rt;
    });
    const outcomes = await Promise.allSettled(runtimes.map((rt) => rt.ready()));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(isContractMismatchError(refused.reason)).toBe(true);
    expect((refused.reason as ContractMismatchError).differences).toEqual([
      { path: '#/properties/a/type', kind: 'changed' },
    ]);
  });

  it('accepts the same schema registered by a second runtime', async () => {
    const db = tempDbPath('dup-same');
    cleanups.push(db.remove);
    const A1 = contract('same@1', z.object({ a: z.number() }));
    const A2 = contract('same@1', z.object({ a: z.number() }));
    await open(db.path, usesContract('one', A1));
    const two = usesContract('two', A2);
    const second = await open(db.path, two);
    const run = await second.start(two, { a: 2 });
    expect(await run.result()).toBe(1);
  });
});
