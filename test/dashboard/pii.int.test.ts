/**
 * PII masking in the dashboard: a run whose input contract tags a field as personal data, read
 * by a viewer (no READ_PII: masked everywhere the run's data shows) and by an admin (clear).
 * The dashboard reads the store alone, so the masks come from the recorded workflow shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { ROLE_PRIVILEGES, roleHas } from '../../src/dashboard/privileges.js';
import {
  agent,
  contract,
  createRuntime,
  PII_MASK,
  PRIVILEGES,
  type Runtime,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';

const SSN = '078-05-1120';
const Applicant = contract(
  'pii-dash.applicant@1',
  z.object({ name: z.string(), ssn: z.string().meta({ pii: true }), amount: z.number() }),
);
const Score = contract('pii-dash.score@1', z.object({ score: z.number(), note: z.string() }));
const scorer = agent({
  name: 'scorer',
  version: '1.0.0',
  input: Applicant,
  output: Score,
  // The note repeats the personal value: scrubbed by value, since no contract tags it.
  execute: async (a) => ({ score: a.amount / 10, note: `checked ${a.ssn}` }),
});
const wf = workflow('pii-dash', { version: 1, input: Applicant })
  .step('score', scorer, { input: (s) => s.input })
  .output((s) => ({ ssn: s.input.ssn, score: s.score.score }));

let writer: Runtime;
let dashboard: Dashboard;
let remove: () => Promise<void>;
let runId: string;
let writerPath: string;
beforeAll(async () => {
  const db = tempDbPath('dash-pii');
  remove = db.remove;
  writerPath = db.path;
  writer = createRuntime({ store: sqliteStore(db.path), workflows: [wf], pollMs: 50 });
  await writer.ready();
  const h = await writer.start(wf, { name: 'ann', ssn: SSN, amount: 700 });
  await h.result();
  runId = h.id;
  dashboard = createDashboard({ store: sqliteStore(db.path), secret: 'pii-test-secret-16-chars' });
});
afterAll(async () => {
  await dashboard?.close();
  await writer?.close();
  await remove?.();
});

async function get(path: string, token: string): Promise<{ status: number; text: string }> {
  const res = await dashboard.request(path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

describe('roles as governance privileges', () => {
  it('maps viewer, operator and admin onto one table of privileges', () => {
    expect(ROLE_PRIVILEGES.viewer).toEqual(['READ']);
    expect(ROLE_PRIVILEGES.operator).toEqual(['READ', 'SIGNAL', 'CANCEL', 'REPLAY']);
    expect([...ROLE_PRIVILEGES.admin].sort()).toEqual([...PRIVILEGES].sort());
    expect(roleHas('operator', 'READ_PII')).toBe(false);
    expect(roleHas('admin', 'READ_PII')).toBe(true);
  });

  it('answers 403 naming the privilege a role lacks', async () => {
    const res = await dashboard.request(`/api/v1/runs/${runId}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dashboard.mintToken('viewer')}` },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'needs CANCEL',
    );
  });
});

describe('PII masking', () => {
  const paths = () => {
    const head = 3;
    return [
      '/api/v1/runs',
      `/api/v1/runs/${runId}`,
      `/api/v1/runs/${runId}/versions/${head - 1}`,
      `/api/v1/runs/${runId}/diff?a=1&b=${head - 1}`,
      `/api/v1/runs/${runId}/journal`,
      `/api/v1/runs/${runId}/trace`,
      `/runs/${runId}?a=1&b=2`,
    ];
  };

  it('masks the tagged field for a viewer and an operator in every response that shows run data', async () => {
    const run = await writer.getRun(runId);
    expect(run.headVersion).toBeGreaterThanOrEqual(2);
    for (const role of ['viewer', 'operator'] as const) {
      const token = dashboard.mintToken(role);
      for (const path of paths()) {
        const r = await get(path, token);
        expect(r.status, path).toBe(200);
        expect(r.text, `${role} ${path}`).not.toContain(SSN);
      }
      const state = JSON.parse((await get(`/api/v1/runs/${runId}/versions/2`, token)).text);
      expect(state.data.input).toEqual({ name: 'ann', ssn: PII_MASK, amount: 700 });
      expect(state.data.score.note).toBe(`checked ${PII_MASK}`);
      const detail = JSON.parse((await get(`/api/v1/runs/${runId}`, token)).text);
      expect(detail.run.output).toEqual({ ssn: PII_MASK, score: 70 });
    }
  });

  it('shows the clear values to an admin (READ_PII)', async () => {
    const token = dashboard.mintToken('admin');
    const state = JSON.parse((await get(`/api/v1/runs/${runId}/versions/2`, token)).text);
    expect(state.data.input.ssn).toBe(SSN);
    expect(state.data.score.note).toBe(`checked ${SSN}`);
    const detail = JSON.parse((await get(`/api/v1/runs/${runId}`, token)).text);
    expect(detail.run.output).toEqual({ ssn: SSN, score: 70 });
    const diff = await get(`/api/v1/runs/${runId}/diff?a=1&b=2`, token);
    expect(diff.text).toContain(SSN);
    expect((await get(`/runs/${runId}?a=1&b=2`, token)).text).toContain(SSN);
  });
});

describe('forking with an input edited under masks', () => {
  it('puts back the personal value an operator saw as [pii], keeping the edits', async () => {
    const store = sqliteStore(writerPath);
    await store.migrate();
    const embedded = createDashboard({ runtime: writer, store, secret: 'pii-embedded-secret-16' });
    try {
      const res = await embedded.request(`/api/v1/runs/${runId}/replay`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${embedded.mintToken('operator')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          fromVersion: 1,
          input: { name: 'bob', ssn: PII_MASK, amount: 900 },
        }),
      });
      expect(res.status).toBe(200);
      const { runId: forkId } = (await res.json()) as { runId: string };
      const first = await writer.state(forkId, 1);
      expect(first.data.input).toEqual({ name: 'bob', ssn: SSN, amount: 900 });
    } finally {
      await embedded.close();
      await store.close();
    }
  });
});
