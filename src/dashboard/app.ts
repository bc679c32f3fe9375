/**
 * `createDashboard`: the dashboard as a Hono app — the JSON API under /api/v1 with its OpenAPI
 * document, the SSE stream, and server-rendered pages with small Preact islands.
 *
 * Invariants:
 * - Auth is on, always: every page, API route and the stream need a valid token (Bearer) or
 *   session cookie; the role is enforced on the server for every route (401 without a
 *   principal, 403 when the role may not).
 * - State-changing routes authenticated by the cookie need the CSRF header and a same-origin
 *   Origin; every response carries a strict CSP (scripts and styles from 'self' only).
 * - Every error is `{ error: { code, message } }` with Baton's code and the matching status.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import type { z } from 'zod';
import {
  createRuntime,
  InvalidArgumentError,
  isBatonError,
  type Runtime,
  type StateStore,
} from '../index.js';
import { API_ROUTES, type ApiDeps, checkStatus, whereOf } from './api.js';
import { RunsQuery, StreamQuery } from './api-schemas.js';
import { assetUrls, readAsset } from './assets.js';
import {
  CSRF_HEADER,
  checkSecret,
  createDashboardToken,
  csrfToken,
  type DashboardPrincipal,
  type DashboardRole,
  SESSION_COOKIE,
  verifyDashboardToken,
} from './auth.js';
import { openApiDocument } from './openapi.js';
import { type PageContext, page, unauthorizedPage } from './pages/layout.js';
import { breakersPage, eventsPage, overviewPage, waitingPage } from './pages/other-pages.js';
import { runPage } from './pages/run-page.js';
import { runsPage } from './pages/runs-page.js';
import { roleHas } from './privileges.js';
import { streamRunEvents } from './stream.js';

/** Options of {@link createDashboard}: a runtime to embed in, or a store to open a reader on. */
export type DashboardOptions = (
  | { readonly runtime: Runtime; readonly store: StateStore }
  | { readonly store: StateStore; readonly runtime?: undefined }
) & {
  /**
   * Signs and checks tokens (at least 16 characters). Default: `BATON_DASHBOARD_SECRET`, else a
   * random secret (then only `token` and `dashboard.mintToken` tokens work).
   */
  readonly secret?: string;
  /** A fixed admin token accepted besides signed ones (default `BATON_DASHBOARD_TOKEN`). */
  readonly token?: string;
  /** Longest wait of the stream between two reads without a wake (default 1000 ms). */
  readonly pollMs?: number;
  /** Largest request body accepted (default 64 KiB). */
  readonly maxBodyBytes?: number;
};

/** The dashboard: a Hono app, plus what its owner needs. */
export type Dashboard = Hono<DashboardEnv> & {
  /**
   * Mints a token for a role, or for a governance principal (`{ principal }`: the API acts
   * through `rt.as(principal)`), signed with this dashboard's secret.
   */
  mintToken(who: DashboardRole | { readonly principal: string }, ttlMs?: number): string;
  /** Closes the runtime the dashboard opened (not one it was given). */
  close(): Promise<void>;
};

const STATUS_OF: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  CONTRACT_VIOLATION: 400,
  NON_JSON_VALUE: 400,
  ACCESS_DENIED: 403,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  LEASE_LOST: 409,
  WORKFLOW_NOT_REGISTERED: 409,
  PAYLOAD_TOO_LARGE: 413,
  STORE_UNAVAILABLE: 503,
};

const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/** What the dashboard's middleware sets on each request. */
export type DashboardEnv = { Variables: { principal: DashboardPrincipal; viaCookie: boolean } };
type Env = DashboardEnv;

function errorBody(c: Context, status: number, code: string, message: string): Response {
  return c.json({ error: { code, message } }, status as 400);
}

function validate<T extends z.ZodType>(
  schema: T | undefined,
  value: unknown,
  what: string,
): z.infer<T> {
  if (!schema) return {} as z.infer<T>;
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues
      .map((i) => `${[what, ...i.path].join('.')}: ${i.message}`)
      .join('; ');
    throw new InvalidArgumentError(issues, what);
  }
  return r.data;
}

/** Query parameters, repeated keys as arrays. */
function queryOf(c: Context): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, vs] of Object.entries(c.req.queries())) out[k] = vs.length === 1 ? vs[0]! : vs;
  return out;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Creates the dashboard over a runtime (embedding) or a store (a reader runtime is opened on it,
 * which never claims runs).
 * @throws InvalidArgumentError for a bad secret or options.
 * @example
 * const dashboard = createDashboard({ store: sqliteStore('baton.db'), secret: process.env.SECRET });
 * serve({ fetch: dashboard.fetch, hostname: '127.0.0.1', port: 4600 });
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  if (typeof options !== 'object' || options === null || !options.store)
    throw new InvalidArgumentError(
      'createDashboard needs { store } or { runtime, store }',
      'options',
    );
  const secret = checkSecret(
    options.secret ?? process.env.BATON_DASHBOARD_SECRET ?? randomBytes(24).toString('base64url'),
  );
  const fixedToken = options.token ?? process.env.BATON_DASHBOARD_TOKEN;
  const owned = options.runtime === undefined;
  const rt =
    options.runtime ??
    createRuntime({ store: options.store, resume: false, signalsFromShapes: true });
  const deps: ApiDeps = { rt, store: options.store };
  /**
   * What a request acts through: a principal's token acts as that principal, so the store's
   * grants decide every call and a denial is an audited AccessDeniedError (403).
   */
  const depsOf = (p: DashboardPrincipal): ApiDeps =>
    p.principal === undefined ? deps : { ...deps, rt: rt.as(p.principal) as unknown as Runtime };
  const pollMs = options.pollMs ?? 1000;
  const assets = assetUrls();
  const app = new Hono<Env>();

  const principalOf = (token: string | undefined): DashboardPrincipal | undefined => {
    if (token && fixedToken && token === fixedToken) return { role: 'admin', token };
    return verifyDashboardToken(secret, token);
  };

  app.use('*', secureHeaders({ contentSecurityPolicy: CSP, referrerPolicy: 'no-referrer' }));
  app.onError((e, c) => {
    if (isBatonError(e)) return errorBody(c, STATUS_OF[e.code] ?? 500, e.code, e.message);
    return errorBody(c, 500, 'INTERNAL', e instanceof Error ? e.message : String(e));
  });
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? errorBody(c, 404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`)
      : c.html('<!doctype html><title>Not found</title><p>Not found.</p>', 404),
  );
  app.get('/assets/*', (c) => {
    const asset = readAsset(c.req.path.slice('/assets/'.length));
    if (!asset) return c.text('not found', 404);
    return c.body(new Uint8Array(asset.body), 200, {
      'content-type': asset.type,
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });

  // Authentication: Bearer, or the session cookie; `?token=` on a page sets the cookie.
  app.use('*', async (c, next) => {
    const bearer = c.req.header('authorization')?.match(/^Bearer (.+)$/)?.[1];
    const fromQuery =
      c.req.method === 'GET' && !c.req.path.startsWith('/api/') ? c.req.query('token') : undefined;
    if (fromQuery !== undefined) {
      const p = principalOf(fromQuery);
      if (!p) return c.html(unauthorizedPage(), 401);
      setCookie(c, SESSION_COOKIE, fromQuery, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        secure: new URL(c.req.url).protocol === 'https:',
      });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    const principal = principalOf(bearer ?? cookie);
    if (!principal) {
      if (c.req.path.startsWith('/api/'))
        return errorBody(
          c,
          401,
          'ACCESS_DENIED',
          'authentication required: a Bearer token or the session cookie',
        );
      return c.html(unauthorizedPage(), 401);
    }
    // Pages read the store directly: a principal's token is for the API, where grants apply.
    if (principal.principal !== undefined && !c.req.path.startsWith('/api/'))
      return c.html(unauthorizedPage(), 403);
    c.set('principal', principal);
    c.set('viaCookie', bearer === undefined);
    return next();
  });

  const api = new Hono<Env>();
  api.use(
    '*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 64 * 1024,
      onError: (c) => errorBody(c, 413, 'PAYLOAD_TOO_LARGE', 'the request body is too large'),
    }),
  );
  api.get('/openapi.json', (c) => c.json(openApiDocument(packageVersion())));
  api.get('/stream', async (c) => {
    const q = validate(StreamQuery, queryOf(c), 'query');
    const where = whereOf(q.where);
    const target = q.run ?? {
      ...(q.workflow ? { workflow: q.workflow } : {}),
      ...(where ? { where } : {}),
    };
    const after = c.req.header('last-event-id') ?? q.after;
    // Checked before the stream opens, so a bad request gets its status and code.
    const acting = depsOf(c.get('principal')).rt;
    if (q.run) await acting.getRun(q.run);
    if (after !== undefined) await options.store.changes.read({ after, limit: 0 });
    const readsPii = roleHas(c.get('principal').role, 'READ_PII');
    return streamRunEvents(c, acting, target, after, pollMs, readsPii);
  });
  for (const route of API_ROUTES) {
    const path = route.path.replace(/\{(\w+)\}/g, ':$1');
    api.on(route.method.toUpperCase(), path, async (c) => {
      const principal = c.get('principal');
      if (!roleHas(principal.role, route.privilege))
        return errorBody(
          c,
          403,
          'ACCESS_DENIED',
          `role ${principal.role} may not ${route.method.toUpperCase()} ${route.path} (needs ${route.privilege})`,
        );
      if (route.method === 'post' && c.get('viaCookie')) {
        const origin = c.req.header('origin');
        if (origin !== undefined && origin !== new URL(c.req.url).origin)
          return errorBody(c, 403, 'ACCESS_DENIED', 'cross-origin request refused');
        if (c.req.header(CSRF_HEADER) !== csrfToken(secret, principal.token))
          return errorBody(c, 403, 'ACCESS_DENIED', `missing or wrong ${CSRF_HEADER} header`);
      }
      let body: unknown;
      if (route.body) {
        try {
          body = await c.req.json();
        } catch {
          throw new InvalidArgumentError('the body must be JSON', 'body');
        }
      }
      const input = {
        params: validate(route.params, c.req.param(), 'params'),
        query: validate(route.query, queryOf(c), 'query'),
        body: validate(route.body, body, 'body'),
        readsPii: roleHas(principal.role, 'READ_PII'),
      };
      const acting = depsOf(principal);
      // The one route that reads the store itself: the principal's READ on agents first.
      if (principal.principal !== undefined && route.path === '/breakers')
        await acting.rt.breakers();
      return c.json((await route.handle(acting, input)) as object);
    });
  }
  app.route('/api/v1', api);

  // Pages.
  const ctxOf = (c: Context<Env>): PageContext => {
    const p = c.get('principal');
    return { role: p.role, csrf: csrfToken(secret, p.token), ...assets };
  };
  app.get('/', async (c) =>
    c.html(page(ctxOf(c), 'Overview', '/', await overviewPage(rt, options.store))),
  );
  app.get('/runs', async (c) => {
    const raw = queryOf(c);
    const whereText = typeof raw.where === 'string' ? raw.where : '';
    const q = validate(
      RunsQuery,
      {
        ...raw,
        status: checkStatus(typeof raw.status === 'string' ? raw.status : undefined),
        where: whereText || undefined,
        workflow: raw.workflow || undefined,
      },
      'query',
    );
    const where = whereOf(q.where);
    const query = {
      ...(q.status ? { status: q.status as never } : {}),
      ...(q.workflow ? { workflow: q.workflow } : {}),
      ...(where ? { where } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      limit: q.limit,
    };
    // The cursor is read before the page's data, so the stream misses nothing in between.
    const after = await options.store.changes.head();
    return c.html(page(ctxOf(c), 'Runs', '/runs', await runsPage(rt, query, whereText, after)));
  });
  app.get('/runs/:runId', async (c) => {
    const a = Number(c.req.query('a'));
    const b = Number(c.req.query('b'));
    const after = await options.store.changes.head();
    const pick = {
      ...(Number.isInteger(a) && a > 0 ? { a } : {}),
      ...(Number.isInteger(b) && b > 0 ? { b } : {}),
    };
    const body = await runPage(ctxOf(c), rt, c.req.param('runId'), pick, after);
    return c.html(page(ctxOf(c), `Run ${c.req.param('runId')}`, '/runs', body));
  });
  app.get('/waiting', async (c) =>
    c.html(page(ctxOf(c), 'Waiting', '/waiting', await waitingPage(ctxOf(c), rt))),
  );
  app.get('/breakers', async (c) =>
    c.html(page(ctxOf(c), 'Breakers', '/breakers', await breakersPage(options.store))),
  );
  app.get('/events', async (c) =>
    c.html(
      page(
        ctxOf(c),
        'Events',
        '/events',
        await eventsPage(ctxOf(c), rt, c.req.query('correlation') ?? ''),
      ),
    ),
  );

  return Object.assign(app, {
    mintToken: (who: DashboardRole | { readonly principal: string }, ttlMs?: number) =>
      createDashboardToken(secret, {
        ...(typeof who === 'string' ? { role: who } : { principal: who.principal }),
        ...(ttlMs !== undefined ? { ttlMs } : {}),
      }),
    close: async () => {
      if (owned) await rt.close();
    },
  });
}
