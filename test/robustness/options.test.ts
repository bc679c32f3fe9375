/** Row 16: unknown options refused with the known ones listed, values quoted, clashing contracts. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { postgresStore } from '../../src/backends/postgres/index.js';
import {
  agent,
  type Contract,
  contract,
  createRuntime,
  isContractMismatchError,
  isInvalidArgumentError,
  isInvalidDefinitionError,
  isStoreClosedError,
  memoryStore,
  type RuntimeOptions,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { Num, numAgent } from './fixtures.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('unknown options', () => {
  it('createRuntime refuses a misspelt option and lists the known ones', () => {
    const e = thrown(() =>
      createRuntime({ store: memoryStore(), workflow: [] } as unknown as RuntimeOptions),
    );
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain("createRuntime: unknown option 'workflow'");
    expect((e as Error).message).toContain("'workflows'");
  });

  it('agent() refuses a misspelt field such as compensat', () => {
    const e = thrown(() =>
      agent({
        name: 'typo',
        version: '1.0.0',
        input: Num,
        output: Num,
        execute: async (n: number) => n,
        compensat: async () => {},
      } as unknown as Parameters<typeof agent>[0]),
    );
    expect(isInvalidDefinitionError(e)).toBe(true);
    expect((e as Error).message).toContain("unknown option 'compensat'");
    expect((e as Error).message).toContain("'compensate'");
  });

  it('agent() takes an existing agent spread into a new version, with its id recomputed', () => {
    const v1 = agent({
      name: 'spread',
      version: '1.0.0',
      input: Num,
      output: Num,
      execute: async (n: number) => n,
    });
    const v2 = agent({ ...v1, version: '2.0.0', execute: async (n: number) => n + 1 });
    expect([v2.id, v2.kind]).toEqual(['spread@2.0.0', 'agent']);
  });

  it('sqliteStore and postgresStore refuse unknown options', () => {
    const sqlite = thrown(() =>
      sqliteStore(':memory:', { synchronus: 'FULL' } as unknown as Parameters<
        typeof sqliteStore
      >[1]),
    );
    expect(isInvalidArgumentError(sqlite)).toBe(true);
    expect((sqlite as Error).message).toContain("sqliteStore: unknown option 'synchronus'");
    const pg = thrown(() =>
      postgresStore({ connectionString: 'postgres://x@h/db', poolsize: 3 } as never),
    );
    expect(isInvalidArgumentError(pg)).toBe(true);
    expect((pg as Error).message).toContain("postgresStore: unknown option 'poolsize'");
  });
});

describe('messages and closed stores', () => {
  it('quotes string values, so "2" and 2 read differently', () => {
    const e = thrown(() => createRuntime({ store: memoryStore(), leaseMs: '2' as never }));
    expect((e as Error).message).toContain('got "2"');
  });

  it('a closed runtime and a closed store throw StoreClosedError', async () => {
    const store = memoryStore();
    const rt = createRuntime({ store });
    await rt.close();
    const wf = workflow('closed', { version: 1, input: Num })
      .step('a', numAgent('a').agent, { input: (s) => s.input })
      .output((s) => s.a);
    const e = await rt.start(wf, 1).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isStoreClosedError(e)).toBe(true);
    const s = memoryStore();
    await s.migrate();
    await s.close();
    const fromStore = await s.listRuns({}).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isStoreClosedError(fromStore)).toBe(true);
  });
});

describe('contract ids', () => {
  it('refuses two different schemas under one contract id within a runtime', async () => {
    const A = contract('dup@1', z.object({ a: z.number() }));
    const B = contract('dup@1', z.object({ b: z.string() }));
    const mk = <T>(name: string, c: Contract<T>) =>
      agent({ name, version: '1.0.0', input: c, output: Num, execute: async () => 1 });
    const wf1 = workflow('uses-a', { version: 1, input: A })
      .step('x', mk('x', A), { input: (s) => s.input })
      .output((s) => s.x);
    const wf2 = workflow('uses-b', { version: 1, input: B })
      .step('y', mk('y', B), { input: (s) => s.input })
      .output((s) => s.y);
    const error = thrown(() => createRuntime({ store: memoryStore(), workflows: [wf1, wf2] }));
    expect(isContractMismatchError(error)).toBe(true);
    expect((error as Error).message).toContain('dup@1');
    // The same when the second workflow arrives later, at start.
    const rt = createRuntime({ store: memoryStore(), workflows: [wf1] });
    try {
      const late = await rt.start(wf2, { b: 'x' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isContractMismatchError(late)).toBe(true);
    } finally {
      await rt.close();
    }
  });
});
