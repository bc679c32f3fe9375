/**
 * Dashboard tokens for governance principals on a real SQLite store: the API acts through
 * `rt.as(principal)`, so the store's grants decide each route, a denial is 403 ACCESS_DENIED
 * and is audited, and the rows a principal may not read are filtered out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardToken } from '../../src/dashboard/auth.js';
import { sqliteStore, storeGovernance } from '../../src/index.js';
import { type Prepared, prepare, SECRET } from './fixtures.js';

let p: Prepared;

async function withGovernance<T>(fn: (g: ReturnType<typeof storeGovernance>) => Promise<T>) {
  const store = sqliteStore(p.path);
  await store.migrate();
  try {
    return await fn(storeGovernance(store));
  } finally {
    await store.close();
  }
}

async function withAudit() {
  const store = sqliteStore(p.path);
  await store.migrate();
  try {
    return await store.governance.readAudit();
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  p = await prepare('principals');
  await withGovernance(async (g) => {
    await g.grant('admin', 'MANAGE', '*');
    await g.grant('admin', 'READ', '*');
    // The analyst reads runs of `loan` only, not of `loan-review`, and may not signal.
    await g.grant('analyst', 'READ', 'workflow:loan');
  });
});
afterAll(() => p?.close());

async function call(path: string, token: string, method = 'GET', body?: unknown) {
  const res = await p.dashboard.request(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text.startsWith('{') ? JSON.parse(text) : { text }) as Record<string, unknown> & {
      error?: { code: string; message: string };
      runs?: { runId: string }[];
    },
  };
}

describe('dashboard tokens for principals', () => {
  it('lets a principal read what its grants cover, filtered row by row', async () => {
    const analyst = p.dashboard.mintToken({ principal: 'analyst' });
    const one = await call(`/api/v1/runs/${p.completedId}/versions`, analyst);
    expect(one.status).toBe(200);
    const list = await call('/api/v1/runs', analyst);
    expect(list.status).toBe(200);
    const ids = (list.body.runs ?? []).map((r) => r.runId);
    expect(ids).toContain(p.completedId);
    expect(ids).not.toContain(p.waitingId);
  });

  it('answers 403 ACCESS_DENIED to a principal without the privilege, and audits it', async () => {
    const analyst = p.dashboard.mintToken({ principal: 'analyst' });
    const other = await call(`/api/v1/runs/${p.waitingId}/versions`, analyst);
    expect(other.status).toBe(403);
    expect(other.body.error?.code).toBe('ACCESS_DENIED');
    expect(other.body.error?.message).toContain('analyst may not');
    const signal = await call(`/api/v1/runs/${p.completedId}/cancel`, analyst, 'POST', {});
    expect(signal.status).toBe(403);
    const stranger = createDashboardToken(SECRET, { principal: 'stranger' });
    expect((await call('/api/v1/breakers', stranger)).status).toBe(403);
    const audit = await withAudit();
    const denied = audit.filter((e) => e.result === 'denied').map((e) => [e.principal, e.action]);
    expect(denied).toEqual(
      expect.arrayContaining([
        ['analyst', 'history'],
        ['analyst', 'cancel'],
        ['stranger', 'breakers'],
      ]),
    );
  });

  it('refuses a principal token on pages, and an edited one everywhere', async () => {
    const admin = p.dashboard.mintToken({ principal: 'admin' });
    expect((await call('/api/v1/runs', admin)).status).toBe(200);
    expect((await call('/runs', admin)).status).toBe(403);
    // The principal is signed: renaming it breaks the MAC.
    const [v, , ...rest] = admin.split('.');
    const forged = [v, Buffer.from('admin2').toString('base64url'), ...rest].join('.');
    expect((await call('/api/v1/runs', forged)).status).toBe(401);
    expect(() => createDashboardToken(SECRET, { principal: '' })).toThrow(/principal/);
  });
});
