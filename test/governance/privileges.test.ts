import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AccessDeniedError,
  createRuntime,
  event,
  type GovernedRuntime,
  isAccessDeniedError,
  isInvalidArgumentError,
  isNotFoundError,
  PII_MASK,
  type Privilege,
  RUNTIME_PRIVILEGES,
  type Runtime,
  sqliteStore,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { APPLICATION, auditOf, loan, quickLoan } from './fixtures/loan.js';

const Noted = event('loan.noted@1', z.object({ id: z.string() }));

/**
 * Every runtime method and the privilege it needs (null: none). Typed over `keyof Runtime`: a
 * runtime method missing here does not compile, and the test below fails when the view's table
 * disagrees.
 */
const EXPECTED: Record<keyof Runtime, Privilege | null> = {
  usage: 'READ',
  label: 'SIGNAL',
  judges: 'READ',
  searchAttributes: 'READ',
  workflowShapes: 'READ',
  watch: 'READ',
  start: 'EXECUTE',
  submit: 'EXECUTE',
  startWorker: 'EXECUTE',
  handle: 'READ',
  signal: 'SIGNAL',
  cancel: 'CANCEL',
  getRun: 'READ',
  listRuns: 'READ',
  journal: 'READ',
  history: 'READ',
  state: 'READ',
  verify: 'READ',
  diff: 'READ',
  rollback: 'REPLAY',
  replay: 'REPLAY',
  bisect: 'READ',
  lineage: 'READ',
  erase: 'MANAGE',
  trace: 'READ',
  breakers: 'READ',
  publish: 'EXECUTE',
  redeliver: 'REPLAY',
  deadLetters: 'READ',
  eventTrace: 'READ',
  eventsSettled: null,
  ready: null,
  close: 'MANAGE',
  as: 'MANAGE',
  children: 'READ',
  waits: 'READ',
  prune: 'MANAGE',
  schedule: 'MANAGE',
  schedules: 'READ',
  pauseSchedule: 'MANAGE',
  resumeSchedule: 'MANAGE',
  deleteSchedule: 'MANAGE',
  triggerSchedule: 'MANAGE',
};

let db: ReturnType<typeof tempDbPath>;
let rt: Runtime;
let runId: string;

beforeEach(async () => {
  db = tempDbPath('privileges');
  rt = createRuntime({
    store: sqliteStore(db.path),
    workflows: [loan, quickLoan],
  });
  const run = await rt.start(loan, APPLICATION);
  runId = run.id;
  // Enforcement starts with the first grant: the administrator's.
  await rt.as('admin').grant('admin', 'MANAGE', '*');
});
afterEach(async () => {
  await rt.close();
  await db.remove();
});

/** Arguments that reach each method's privilege check. */
function argsFor(method: keyof Runtime): unknown[] {
  switch (method) {
    case 'start':
    case 'submit':
      return [quickLoan, APPLICATION];
    case 'signal':
      return [runId, 'review', { approved: true }];
    case 'state':
      return [runId, 1];
    case 'diff':
      return [runId, 1, 2];
    case 'rollback':
      return [runId, 1];
    case 'replay':
      return [runId, { fromVersion: 1 }];
    case 'bisect':
      return [runId, () => false];
    case 'publish':
      return [Noted, { id: 'x' }];
    case 'redeliver':
      return ['evt-1'];
    case 'as':
      return ['someone'];
    case 'listRuns':
    case 'startWorker':
    case 'breakers':
    case 'deadLetters':
    case 'eventsSettled':
    case 'ready':
    case 'close':
      return [];
    case 'eventTrace':
      return ['corr-1'];
    default:
      return [runId];
  }
}

describe('the privilege table', () => {
  it('names every runtime method with the expected privilege', () => {
    const table = Object.fromEntries(
      Object.entries(RUNTIME_PRIVILEGES).map(([k, r]) => [k, r.privilege]),
    );
    expect(table).toEqual(EXPECTED);
  });

  it('covers every method a runtime and its view actually have', () => {
    const view = rt.as('nobody') as unknown as Record<string, unknown>;
    for (const method of Object.keys(EXPECTED)) {
      expect(typeof (rt as unknown as Record<string, unknown>)[method], method).toBe('function');
      expect(typeof view[method], method).toBe('function');
    }
    const extras = ['principal', 'mode', 'grant', 'revoke', 'grants'];
    expect(Object.keys(view).sort()).toEqual([...Object.keys(EXPECTED), ...extras].sort());
  });

  const guarded = (Object.keys(EXPECTED) as (keyof Runtime)[]).filter((m) => EXPECTED[m] !== null);
  it.each(guarded)(
    '%s is refused to a principal without its privilege, and the denial is audited',
    async (method) => {
      const view = rt.as('mallory') as unknown as Record<
        string,
        (...a: unknown[]) => Promise<unknown>
      >;
      const before = (await auditOf(sqliteStoreOf())).length;
      let thrown: unknown;
      try {
        const out: unknown = view[method]!(...argsFor(method));
        // `watch` answers with an async iterator: the check runs before its first event.
        if (typeof out === 'object' && out !== null && Symbol.asyncIterator in out)
          await (out as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
        else await out;
      } catch (e) {
        thrown = e;
      }
      expect(isAccessDeniedError(thrown), String(thrown)).toBe(true);
      const e = thrown as AccessDeniedError;
      expect(e.principal).toBe('mallory');
      expect(e.privilege).toBe(EXPECTED[method]);
      expect(e.securable).toMatch(/^(workflow|event|agent|catalog):/);
      const audit = await auditOf(sqliteStoreOf());
      expect(audit.length).toBe(before + 1);
      expect(audit.at(-1)).toMatchObject({
        principal: 'mallory',
        action: method,
        result: 'denied',
        securable: e.securable,
        detail: { privilege: EXPECTED[method] },
      });
    },
  );
});

/** A second handle on the same SQLite file (the runtime's store stays private). */
let reader: ReturnType<typeof sqliteStore> | undefined;
function sqliteStoreOf() {
  if (!reader) throw new Error('no reader');
  return reader;
}
beforeEach(async () => {
  reader = sqliteStore(db.path);
  await reader.migrate();
});
afterEach(async () => {
  await reader?.close();
  reader = undefined;
});

describe('rt.as(principal)', () => {
  it('lets an analyst read runs with personal data masked, and an auditor with READ_PII unmasked', async () => {
    const admin = rt.as('admin');
    await admin.grant('ana', 'READ', 'workflow:loan');
    await admin.grant('aud', 'READ', 'workflow:*');
    await admin.grant('aud', 'READ_PII', 'workflow:loan@1');
    const ana = rt.as('ana');
    const [v1] = await ana.history(runId);
    expect(v1!.data.input).toEqual({
      applicant: { name: PII_MASK, ssn: PII_MASK },
      amount: 12_000,
    });
    expect((await ana.state(runId, 2)).data).toMatchObject({
      input: { applicant: { ssn: PII_MASK } },
      score: { score: 742 },
    });
    const diff = await ana.diff(runId, 1, 2);
    expect(JSON.stringify(diff)).not.toContain('529-14-7781');
    const seen: unknown[] = [];
    await ana.bisect(runId, (s) => {
      seen.push(s.data.input);
      return false;
    });
    expect(JSON.stringify(seen)).not.toContain('529-14-7781');
    const aud = rt.as('aud');
    expect((await aud.state(runId, 1)).data.input).toEqual(APPLICATION);
    // The analyst may read but not act.
    await expect(ana.signal(runId, 'review', { approved: true })).rejects.toSatisfy(
      isAccessDeniedError,
    );
  });

  it('lets an operator signal reviews but not cancel or replay, and filters the runs it lists', async () => {
    const admin = rt.as('admin');
    await admin.grant('op', 'SIGNAL', 'workflow:loan@1');
    await admin.grant('op', 'READ', 'workflow:loan');
    const other = await rt.start(quickLoan, APPLICATION);
    await other.result();
    const op = rt.as('op');
    expect((await op.listRuns()).map((r) => r.runId)).toEqual([runId]);
    await expect(op.cancel(runId)).rejects.toSatisfy(isAccessDeniedError);
    await expect(op.replay(runId, { fromVersion: 1 })).rejects.toSatisfy(isAccessDeniedError);
    await op.signal(runId, 'review', { approved: true });
    expect(await (await rt.handle(runId)).result()).toEqual({ score: 742, approved: true });
    const signalled = (await auditOf(sqliteStoreOf())).find(
      (a) => a.action === 'signal' && a.result === 'ok',
    );
    expect(signalled).toMatchObject({
      principal: 'op',
      securable: 'workflow:loan@1',
      params: { runId, name: 'review', payload: { approved: true } },
    });
  });

  it('audits every allowed change with masked parameters and its outcome', async () => {
    const admin = rt.as('admin');
    await admin.grant('ana', 'EXECUTE', 'workflow:quick-*');
    const run = await rt.as('ana').start(quickLoan, APPLICATION);
    const entry = (await auditOf(sqliteStoreOf())).at(-1)!;
    expect(entry).toMatchObject({
      principal: 'ana',
      action: 'start',
      securable: 'workflow:quick-loan@1',
      result: 'ok',
      detail: { runId: run.id },
      params: { input: { applicant: { name: PII_MASK, ssn: PII_MASK }, amount: 12_000 } },
    });
    expect(JSON.stringify(await auditOf(sqliteStoreOf()))).not.toContain('529-14-7781');
  });

  it('revokes: the next call is refused', async () => {
    const admin = rt.as('admin');
    await admin.grant('ana', 'READ', 'workflow:loan@1');
    const ana = rt.as('ana');
    await ana.getRun(runId);
    expect(await admin.revoke('ana', 'READ', 'workflow:loan@1')).toBe(true);
    await expect(ana.getRun(runId)).rejects.toSatisfy(isAccessDeniedError);
    expect(await admin.revoke('ana', 'READ', 'workflow:loan@1')).toBe(false);
    const actions = (await auditOf(sqliteStoreOf())).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['grant', 'revoke']));
  });

  it('refuses an unknown privilege, a malformed or nonexistent securable, and a grant without MANAGE — changing nothing', async () => {
    const admin = rt.as('admin');
    const before = await admin.grants();
    const refusals: [() => Promise<unknown>, (e: unknown) => boolean][] = [
      [() => admin.grant('ana', 'READ_ALL' as Privilege, 'workflow:loan'), isInvalidArgumentError],
      [() => admin.grant('ana', 'READ', 'table:loans'), isInvalidArgumentError],
      [() => admin.grant('ana', 'READ', 'workflow:no-such-flow'), isNotFoundError],
      [() => admin.grant('ana', 'READ', 'contract:loan.nothing@1'), isNotFoundError],
      [() => admin.grant('', 'READ', 'workflow:loan'), isInvalidArgumentError],
      [() => rt.as('ana').grant('ana', 'READ', 'workflow:loan'), isAccessDeniedError],
    ];
    for (const [call, guard] of refusals) {
      const e = await call().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(guard(e), String(e)).toBe(true);
    }
    expect(await admin.grants()).toEqual(before);
    expect(() => rt.as('bad name!')).toThrow(/principal must be/);
  });
});

describe('a store without grants', () => {
  it('has a single owner: every view may do everything, and says so', async () => {
    const t = tempDbPath('owner');
    const solo = createRuntime({ store: sqliteStore(t.path), workflows: [quickLoan] });
    try {
      const anyone: GovernedRuntime = solo.as('anyone');
      expect(await anyone.mode()).toBe('single-owner');
      const run = await anyone.start(quickLoan, APPLICATION);
      expect(await run.result()).toEqual({ score: 742 });
      expect((await anyone.state(run.id, 1)).data.input).toEqual(APPLICATION);
    } finally {
      await solo.close();
      await t.remove();
    }
  });
});
