/**
 * The JSON API, route by route, on a real SQLite store: roles, CSRF, validation, errors with
 * Baton's codes, the OpenAPI document, and the SSE stream with Last-Event-ID resume.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/dashboard/api.js';
import { type Prepared, prepare, XSS } from './fixtures.js';

let p: Prepared;
let viewer: string;
let operator: string;
let admin: string;
beforeAll(async () => {
  p = await prepare('api');
  viewer = p.dashboard.mintToken('viewer');
  operator = p.dashboard.mintToken('operator');
  admin = p.dashboard.mintToken('admin');
});
afterAll(() => p?.close());

type Body = Record<string, unknown> & { error?: { code: string; message: string } };

async function call(
  path: string,
  o: { token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Body; res: Response }> {
  const res = await p.dashboard.request(`/api/v1${path}`, {
    method: o.method ?? 'GET',
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...o.headers,
    },
    ...(o.body !== undefined
      ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }
      : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text.startsWith('{') ? JSON.parse(text) : { text }) as Body,
    res,
  };
}

describe('authentication and roles', () => {
  it('answers 401 with ACCESS_DENIED without a token, for the API, the stream and pages', async () => {
    for (const path of ['/runs', '/stream', '/openapi.json']) {
      const r = await call(path);
      expect(r.status, path).toBe(401);
      expect(r.body.error?.code).toBe('ACCESS_DENIED');
    }
    const forged = await call('/runs', { token: `${viewer.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    for (const path of [
      '/',
      '/runs',
      `/runs/${p.completedId}`,
      '/waiting',
      '/breakers',
      '/events',
    ]) {
      expect((await p.dashboard.request(path)).status, path).toBe(401);
    }
  });

  it('exchanges ?token= for an HttpOnly, SameSite=Strict cookie that opens pages', async () => {
    const res = await p.dashboard.request(`/runs?token=${encodeURIComponent(viewer)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/runs');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/baton_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await p.dashboard.request('/runs', { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain(p.completedId);
    // Markup in a payload is escaped, never emitted as markup.
    expect(html).not.toContain(XSS);
  });

  it('refuses a viewer every state-changing route with 403', async () => {
    for (const r of API_ROUTES.filter((x) => x.method === 'post')) {
      const path = r.path.replace('{runId}', p.waitingId).replace('{eventId}', 'e1');
      const res = await call(path, {
        token: viewer,
        method: 'POST',
        body: { name: 'review', payload: {}, fromVersion: 1 },
      });
      expect(res.status, path).toBe(403);
      expect(res.body.error?.code).toBe('ACCESS_DENIED');
    }
  });

  it('needs the CSRF header and a same origin on a cookie-authenticated POST', async () => {
    const cookie = `baton_session=${operator}`;
    const url = `/runs/${p.waitingId}/signal`;
    const body = { name: 'review', payload: { approved: true, note: 'ok!' } };
    const noCsrf = await call(url, { method: 'POST', body, headers: { cookie } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error?.message).toContain('x-baton-csrf');
    const page = await (await p.dashboard.request('/', { headers: { cookie } })).text();
    const csrf = /name="baton-csrf" content="([^"]+)"/.exec(page)?.[1] ?? '';
    const crossOrigin = await call(url, {
      method: 'POST',
      body,
      headers: { cookie, 'x-baton-csrf': csrf, origin: 'http://evil.example' },
    });
    expect(crossOrigin.status).toBe(403);
  });
});

describe('reading', () => {
  it('lists runs with filters and keyset pages', async () => {
    const all = await call('/runs', { token: viewer });
    expect(all.status).toBe(200);
    expect((all.body.runs as { runId: string }[]).map((r) => r.runId)).toEqual([
      p.waitingId,
      p.xssId,
      p.completedId,
    ]);
    const page1 = await call('/runs?limit=2', { token: viewer });
    expect(page1.body.nextCursor).toBe(p.xssId);
    const page2 = await call(`/runs?limit=2&cursor=${p.xssId}`, { token: viewer });
    expect((page2.body.runs as { runId: string }[]).map((r) => r.runId)).toEqual([p.completedId]);
    const ann = await call('/runs?where=applicant=ann', { token: viewer });
    expect((ann.body.runs as { runId: string }[]).map((r) => r.runId)).toEqual([p.completedId]);
    const waiting = await call('/runs?status=waiting', { token: viewer });
    expect((waiting.body.runs as { runId: string }[]).map((r) => r.runId)).toEqual([p.waitingId]);
    const counts = await call('/runs/counts', { token: viewer });
    expect(counts.body.counts).toMatchObject({ completed: 2, waiting: 1 });
  });

  it('rejects bad list input with 400 INVALID_ARGUMENT naming the field', async () => {
    for (const q of [
      'status=nope',
      'limit=0',
      'limit=100000',
      'where=no%20pair',
      'cursor=unknown-run',
      'createdAfter=x',
    ]) {
      const r = await call(`/runs?${q}`, { token: viewer });
      expect(r.status, q).toBe(400);
      expect(r.body.error?.code, q).toBe('INVALID_ARGUMENT');
    }
  });

  it('shows a run with its declared shape, steps and attributes', async () => {
    const r = await call(`/runs/${p.completedId}`, { token: viewer });
    expect(r.status).toBe(200);
    const shape = r.body.shape as { order: string[] };
    expect(shape.order).toEqual(['credit', 'fraud', 'decision']);
    const steps = r.body.steps as { name: string; status: string; agent: string }[];
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['credit', 'succeeded'],
      ['fraud', 'succeeded'],
      ['decision', 'succeeded'],
    ]);
    expect(steps[2]!.agent).toBe('decide@2.1.0');
    expect(r.body.attributes).toMatchObject({ applicant: 'ann', product: 'loan' });
    const missing = await call('/runs/no-such-run', { token: viewer });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('NOT_FOUND');
  });

  it('serves versions, one version, diffs, verification, journal, trace and workflows', async () => {
    const id = p.completedId;
    const versions = await call(`/runs/${id}/versions`, { token: viewer });
    expect((versions.body.versions as unknown[]).length).toBe(4);
    const v1 = await call(`/runs/${id}/versions/1`, { token: viewer });
    expect((v1.body.data as { input: { applicant: string } }).input.applicant).toBe('ann');
    expect((await call(`/runs/${id}/versions/0`, { token: viewer })).status).toBe(400);
    const v99 = await call(`/runs/${id}/versions/99`, { token: viewer });
    expect([v99.status, v99.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    const diff = await call(`/runs/${id}/diff?a=1&b=4`, { token: viewer });
    expect((diff.body.changes as { path: string }[]).map((c) => c.path).sort()).toEqual([
      'credit',
      'decision',
      'fraud',
    ]);
    const badRange = await call(`/runs/${id}/diff?a=1&b=50`, { token: viewer });
    expect(badRange.status).toBe(404);
    expect((await call(`/runs/${id}/diff?a=x&b=1`, { token: viewer })).status).toBe(400);
    expect((await call(`/runs/${id}/verify`, { token: viewer })).body.ok).toBe(true);
    const journal = await call(`/runs/${id}/journal`, { token: viewer });
    expect((journal.body.entries as { type: string }[])[0]!.type).toBe('run.started');
    const trace = await call(`/runs/${id}/trace`, { token: viewer });
    expect(trace.body).toMatchObject({ total: 0, truncated: false });
    const wfs = await call('/workflows', { token: viewer });
    expect((wfs.body.workflows as { name: string }[]).map((w) => w.name).sort()).toEqual([
      'loan',
      'loan-review',
    ]);
    expect((await call('/breakers', { token: viewer })).body.breakers).toEqual([]);
    expect((await call('/dead-letters', { token: viewer })).body.deadLetters).toEqual([]);
    const ev = await call('/events/nothing', { token: viewer });
    expect([ev.status, ev.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    expect((await call('/no/such/route', { token: viewer })).status).toBe(404);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = await call('/openapi.json', { token: viewer });
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    for (const r of API_ROUTES)
      expect(paths[r.path]?.[r.method], `${r.method} ${r.path}`).toBeDefined();
    expect(paths['/stream']).toBeDefined();
    expect(doc.body.openapi).toBe('3.1.0');
  });
});

describe('acting', () => {
  it('validates a signal against the recorded contract, then resumes the run', async () => {
    const url = `/runs/${p.waitingId}/signal`;
    const bad = await call(url, {
      token: operator,
      method: 'POST',
      body: { name: 'review', payload: { approved: 'yes' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('CONTRACT_VIOLATION');
    const wrongName = await call(url, {
      token: operator,
      method: 'POST',
      body: { name: 'nope', payload: {} },
    });
    expect([wrongName.status, wrongName.body.error?.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const notJson = await call(url, { token: operator, method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    const huge = await call(url, {
      token: operator,
      method: 'POST',
      body: { name: 'review', payload: 'x'.repeat(100_000) },
    });
    expect([huge.status, huge.body.error?.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const ok = await call(url, {
      token: operator,
      method: 'POST',
      body: { name: 'review', payload: { approved: true, note: 'looks fine' } },
    });
    expect(ok.status).toBe(200);
    // The dashboard has no code: the writer runtime (which has it) claims the run and ends it.
    let last = '';
    for await (const e of p.writer.watch(p.waitingId)) if (e.status) last = e.status;
    expect(last).toBe('completed');
  });

  it('answers replay without the workflow code with 409 WORKFLOW_NOT_REGISTERED, and cancel/redeliver errors', async () => {
    const replay = await call(`/runs/${p.completedId}/replay`, {
      token: admin,
      method: 'POST',
      body: { fromVersion: 2 },
    });
    expect([replay.status, replay.body.error?.code]).toEqual([409, 'WORKFLOW_NOT_REGISTERED']);
    const badReplay = await call(`/runs/${p.completedId}/replay`, {
      token: admin,
      method: 'POST',
      body: { fromVersion: 0 },
    });
    expect(badReplay.status).toBe(400);
    const cancelMissing = await call('/runs/nope/cancel', { token: operator, method: 'POST' });
    expect(cancelMissing.status).toBe(404);
    const redeliver = await call('/dead-letters/no-event/redeliver', {
      token: operator,
      method: 'POST',
      body: {},
    });
    expect([redeliver.status, redeliver.body.error?.code]).toEqual([404, 'NOT_FOUND']);
  });
});

describe('the SSE stream', () => {
  async function readEvents(res: Response, until: (text: string) => boolean): Promise<string> {
    const reader = res.body!.getReader();
    let text = '';
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    return text;
  }

  it('streams a run’s events with cursors as ids and resumes after Last-Event-ID', async () => {
    const res = await p.dashboard.request(`/api/v1/stream?run=${p.completedId}`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await readEvents(res, (t) => t.includes('event: end'));
    const ids = [...text.matchAll(/^id: (.+)$/gm)].map((m) => m[1]!);
    const committed = await p.writer.journal(p.completedId);
    expect(ids).toHaveLength(committed.length);
    expect(ids.map(Number)).toEqual(committed.map((j) => j.seq));
    const resumed = await p.dashboard.request(`/api/v1/stream?run=${p.completedId}`, {
      headers: { authorization: `Bearer ${viewer}`, 'last-event-id': ids[2]! },
    });
    const rest = [
      ...(await readEvents(resumed, (t) => t.includes('event: end'))).matchAll(/^id: (.+)$/gm),
    ].map((m) => m[1]);
    expect(rest).toEqual(ids.slice(3));
    const unknown = await call('/stream?run=x', { token: viewer });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    const badCursor = await call(`/stream?run=${p.completedId}&after=not-a-cursor`, {
      token: viewer,
    });
    expect([badCursor.status, badCursor.body.error?.code]).toEqual([400, 'INVALID_ARGUMENT']);
  });
});

describe('embedded in a runtime that has the code', () => {
  it('forks a run from a version, recording its parent', async () => {
    const { createDashboard } = await import('../../src/dashboard/index.js');
    const { sqliteStore } = await import('../../src/index.js');
    const store = sqliteStore(p.path);
    await store.migrate();
    const embedded = createDashboard({
      runtime: p.writer,
      store,
      secret: 'another-secret-16-chars',
    });
    const res = await embedded.request(`/api/v1/runs/${p.completedId}/replay`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${embedded.mintToken('operator')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ fromVersion: 2 }),
    });
    expect(res.status).toBe(200);
    const { runId } = (await res.json()) as { runId: string };
    const fork = await p.writer.getRun(runId);
    expect(fork).toMatchObject({ parentRunId: p.completedId, parentVersion: 2 });
    // Tokens of another dashboard's secret are not accepted here.
    const foreign = await embedded.request('/api/v1/runs', {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(foreign.status).toBe(401);
    await embedded.close();
    await store.close();
  });
});
