/**
 * The dashboard's OpenAPI document generates a working typed client with mainstream tools:
 * openapi-typescript makes the types (committed in generated/api-types.ts, checked here to be
 * what the generator makes of the current document) and openapi-fetch calls the real API with
 * them — paths, parameters, bodies and responses typed from the document alone.
 */
import { readFileSync } from 'node:fs';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/dashboard-api-types.js';
import { type Prepared, prepare } from './fixtures.js';
import type { paths } from './generated/api-types.js';

let p: Prepared;
beforeAll(async () => {
  p = await prepare('openapi-client');
});
afterAll(() => p?.close());

/** A client over the dashboard app itself (no socket): the same requests a server would get. */
function clientFor(token: string) {
  return createClient<paths>({
    baseUrl: 'http://dashboard.test/api/v1',
    headers: { authorization: `Bearer ${token}` },
    fetch: (request: Request) => Promise.resolve(p.dashboard.fetch(request)),
  });
}

describe('a typed client generated from the OpenAPI document', () => {
  it('is what openapi-typescript makes of the current document', async () => {
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await apiTypesSource());
  });

  it('reads runs, a run and its versions through the generated types', async () => {
    const api = clientFor(p.dashboard.mintToken('viewer'));
    const list = await api.GET('/runs', { params: { query: { status: 'completed', limit: 10 } } });
    expect(list.response.status).toBe(200);
    const ids = list.data?.runs.map((r) => r.runId) ?? [];
    expect(ids).toContain(p.completedId);
    expect(list.data?.runs.every((r) => r.status === 'completed')).toBe(true);

    const one = await api.GET('/runs/{runId}', { params: { path: { runId: p.completedId } } });
    expect(one.data?.run.workflow).toBe('loan');
    const versions = await api.GET('/runs/{runId}/versions', {
      params: { path: { runId: p.completedId } },
    });
    expect(versions.data?.versions.length).toBeGreaterThan(1);
  });

  it('gets typed errors: 404 for an unknown run, 403 for a viewer that signals', async () => {
    const api = clientFor(p.dashboard.mintToken('viewer'));
    const missing = await api.GET('/runs/{runId}', { params: { path: { runId: 'nope' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const signal = await api.POST('/runs/{runId}/signal', {
      params: { path: { runId: p.waitingId } },
      body: { name: 'review', payload: { approved: true } },
    });
    expect(signal.response.status).toBe(403);
    expect(signal.error).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
  });

  it('changes a run through the typed client with an operator token', async () => {
    const api = clientFor(p.dashboard.mintToken('operator'));
    const cancel = await api.POST('/runs/{runId}/cancel', {
      params: { path: { runId: p.waitingId } },
    });
    expect(cancel.response.status).toBe(200);
    const run = await api.GET('/runs/{runId}', { params: { path: { runId: p.waitingId } } });
    expect(run.data?.run.status).toBe('cancelled');
  });
});
