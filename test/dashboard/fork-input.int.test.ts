/**
 * Fork from a version with an edited input, through the API of a dashboard embedded in a
 * runtime that has the workflow's code: the input is checked against the input contract (400
 * with the contract's message when bad) and the fork runs on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { type StateStore, sqliteStore } from '../../src/index.js';
import { Loan } from '../observe/fixtures/workflows.js';
import { type Prepared, prepare } from './fixtures.js';

let p: Prepared;
let store: StateStore;
let embedded: Dashboard;
beforeAll(async () => {
  p = await prepare('fork-input');
  store = sqliteStore(p.path);
  await store.migrate();
  embedded = createDashboard({ runtime: p.writer, store, secret: 'fork-input-secret-16c' });
});
afterAll(async () => {
  await embedded?.close();
  await store?.close();
  await p?.close();
});

const fork = (body: unknown) =>
  embedded.request(`/api/v1/runs/${p.completedId}/replay`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${embedded.mintToken('operator')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });

describe('fork with an edited input', () => {
  it('runs the fork on the edited input, recording its parent', async () => {
    const edited = { applicant: 'ann', amount: 250_000, product: 'loan' };
    const res = await fork({ fromVersion: 1, input: edited });
    expect(res.status).toBe(200);
    const { runId } = (await res.json()) as { runId: string };
    await (await p.writer.handle(runId)).result();
    const run = await p.writer.getRun(runId);
    expect(run).toMatchObject({
      parentRunId: p.completedId,
      parentVersion: 1,
      status: 'completed',
    });
    const head = await p.writer.state(runId, run.headVersion);
    expect(head.data.input).toEqual(edited);
    // The checks ran again on the new input: an amount over 100,000 is not ok.
    expect(head.data.credit).toEqual({ ok: false });
    const parent = await p.writer.state(p.completedId, 1);
    expect(parent.data.input).toEqual({ applicant: 'ann', amount: 1_000, product: 'loan' });
  });

  it('refuses an input the contract rejects with 400 and the contract’s message', async () => {
    const bad = { applicant: 'ann', amount: -5, product: 'loan' };
    const check = Loan.validate(bad);
    expect(check.ok).toBe(false);
    const message = check.ok ? '' : check.issues[0]!.message;
    const before = (await p.writer.listRuns({ limit: 500 })).length;
    const res = await fork({ fromVersion: 1, input: bad });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CONTRACT_VIOLATION');
    expect(body.error.message).toContain(message);
    expect(body.error.message).toContain('amount');
    // Nothing was forked.
    expect((await p.writer.listRuns({ limit: 500 })).length).toBe(before);
  });
});
