/// <reference lib="dom" />
/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
 * server on a real SQLite store: each page with the right data, live updates and an SSE drop,
 * the signal form, XSS, auth (token, HttpOnly cookie, roles), CSP. Screenshots of each page go
 * to docs/screenshots/ (shown in the README).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serveDashboard } from '../../src/dashboard/index.js';
import { createRuntime, event, reactor, sqliteStore } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { type Prepared, prepare, XSS } from './fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}docs/screenshots`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function assetsFresh(): boolean {
  const manifest = `${ROOT}dist/dashboard/assets/.vite/manifest.json`;
  if (!existsSync(manifest)) return false;
  const built = statSync(manifest).mtimeMs;
  const newest = (path: string): number =>
    statSync(path).isDirectory()
      ? Math.max(0, ...readdirSync(path).map((f) => newest(`${path}/${f}`)))
      : statSync(path).mtimeMs;
  return [`${ROOT}src/dashboard/client`, `${ROOT}src/dashboard/step-status.ts`].every(
    (src) => newest(src) <= built,
  );
}

let p: Prepared;
let server: Server;
let base: string;
let stop: () => Promise<void>;
let browser: Browser;

beforeAll(async () => {
  // The islands are built by Vite into dist/dashboard/assets (as `npm run build` does) when
  // missing or older than their sources.
  if (!assetsFresh()) {
    execFileSync('npx', ['vite', 'build', '--config', 'vite.dashboard.config.ts'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  }
  p = await prepare('browser');
  // A breaker's recorded transitions, for the breakers page.
  const store = sqliteStore(p.path);
  await store.migrate();
  const t0 = Date.now() - 60_000;
  await store.appendRecords([
    {
      kind: 'breaker',
      key: 'credit-score@1.0.0',
      runId: null,
      at: t0,
      body: {
        breaker: 'credit-score@1.0.0',
        from: 'closed',
        to: 'open',
        at: t0,
        reason: '5 consecutive failures',
      },
    },
    {
      kind: 'breaker',
      key: 'credit-score@1.0.0',
      runId: null,
      at: t0 + 30_000,
      body: {
        breaker: 'credit-score@1.0.0',
        from: 'open',
        to: 'half-open',
        at: t0 + 30_000,
        reason: 'reset period elapsed',
      },
    },
  ]);
  await store.close();
  const served = await serveDashboard(p.dashboard, { port: 0 });
  server = served.server;
  base = served.url;
  stop = served.close;
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
  await p?.close();
});

async function signedIn(role: 'viewer' | 'operator' | 'admin', path = '/'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(
    `${base}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(p.dashboard.mintToken(role))}`,
  );
  await page.waitForSelector('html[data-ready="true"]');
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

describe('access', () => {
  it('serves no page and no stream without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const path of ['/', '/runs', `/runs/${p.completedId}`, '/waiting', '/api/v1/stream']) {
      const res = await page.goto(`${base}${path}`);
      expect(res?.status(), path).toBe(401);
    }
    expect(await page.content()).not.toContain(p.completedId);
    await context.close();
  });

  it('keeps the session in an HttpOnly, SameSite=Strict cookie and sends a strict CSP', async () => {
    const page = await signedIn('viewer');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'baton_session', httpOnly: true, sameSite: 'Strict' });
    // Script cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const res = await page.goto(`${base}/runs`);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await page.context().close();
  });
});

describe('pages', () => {
  it('lists the runs with their statuses and counts', async () => {
    const page = await signedIn('viewer', '/runs');
    for (const id of [p.completedId, p.xssId, p.waitingId])
      await page.waitForSelector(`tr[data-run="${id}"]`);
    expect(await page.getAttribute(`tr[data-run="${p.waitingId}"] .badge`, 'data-status')).toBe(
      'waiting',
    );
    expect(await page.textContent('[data-testid="counts"]')).toMatch(/completed\s*2/);
    await page.waitForSelector('[data-live-state] .live-live');
    await shot(page, 'runs');
    await page.context().close();
  });

  it('draws the declared graph, the diff, the verified chain and the journal of a run', async () => {
    const page = await signedIn('viewer', `/runs/${p.completedId}?a=1&b=4`);
    const nodes = await page.$$eval('svg.dag g.node', (gs) =>
      gs.map((g) => [
        g.getAttribute('data-step'),
        g.getAttribute('data-status'),
        g.getAttribute('data-col'),
      ]),
    );
    expect(nodes).toEqual([
      ['credit', 'succeeded', '0'],
      ['fraud', 'succeeded', '0'],
      ['decision', 'succeeded', '1'],
    ]);
    const edges = await page.$$eval('svg.dag path.edge', (ps) =>
      ps.map((e) => `${e.getAttribute('data-from')}→${e.getAttribute('data-to')}`),
    );
    expect(edges.sort()).toEqual(['credit→decision', 'fraud→decision']);
    expect(await page.textContent('[data-testid="verify"]')).toContain('verified');
    expect(await page.$$eval('[data-testid="diff"] tbody tr', (rows) => rows.length)).toBe(3);
    expect(await page.textContent('main')).toContain('decide@2.1.0');
    await shot(page, 'run');
    await page.context().close();
  });

  it('renders markup from a payload as inert text', async () => {
    const page = await signedIn('viewer', `/runs/${p.xssId}`);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    expect(await page.textContent('main')).toContain(XSS);
    expect(await page.$$('main img')).toHaveLength(0);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await page.goto(`${base}/runs`);
    expect(await page.$$('main img')).toHaveLength(0);
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it('flags a stalled event flow on the events page', async () => {
    // A flow whose only delivery failed and waits for a retry that never comes: its writer's
    // clock stands five minutes back, so the dashboard sees pending work and no activity since.
    const Happened = event('thing.happened@1', z.object({ n: z.number() }));
    const down = reactor({
      name: 'down',
      version: '1.0.0',
      on: Happened,
      policy: { retry: { maxAttempts: 3 } },
      async handle() {
        throw new Error('service down');
      },
    });
    const clock = new FakeClock(Date.now() - 300_000);
    const writer = createRuntime({ store: sqliteStore(p.path), reactors: [down], clock });
    let correlation: string;
    try {
      ({ correlationId: correlation } = await writer.publish(Happened, { n: 1 }));
      for (let i = 0; (await writer.eventTrace(correlation)).flags.failures === 0; i++) {
        if (i > 100_000) throw new Error('the delivery never failed');
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await writer.close();
    }
    const page = await signedIn('viewer', `/events?correlation=${correlation}`);
    expect(await page.textContent('main')).toContain('pending 1');
    expect(await page.textContent('[data-testid="stalled"]')).toBe('stalled');
    await page.context().close();
  });

  it('shows the breakers, events and overview pages', async () => {
    const page = await signedIn('viewer', '/breakers');
    expect(
      await page.getAttribute('tr[data-breaker="credit-score@1.0.0"] .badge', 'data-status'),
    ).toBe('half-open');
    expect(await page.$$eval('ol.transitions li', (li) => li.length)).toBe(2);
    await shot(page, 'breakers');
    await page.goto(`${base}/events`);
    expect(await page.textContent('main')).toContain('Dead letters');
    await shot(page, 'events');
    await page.goto(`${base}/`);
    expect(await page.textContent('[data-testid="total"]')).toBe('3');
    expect(await page.textContent('[data-testid="waiting-count"]')).toBe('1');
    // Step latency per agent is a picture: a p50 and a p99 bar for each of the three agents.
    const latency = 'svg[aria-label="step latency per agent, p50 and p99"]';
    const labels = await page.$$eval(`${latency} g text:first-child`, (t) =>
      t.map((x) => x.textContent),
    );
    expect(labels).toHaveLength(6);
    expect(labels.filter((l) => / p50$/.test(l ?? ''))).toHaveLength(3);
    expect(labels.filter((l) => / p99 \(\d+ steps\)$/.test(l ?? ''))).toHaveLength(3);
    expect(labels.join(' ')).toContain('decide');
    expect(await page.$$(`${latency} rect.bar`)).toHaveLength(6);
    expect(await page.$$('table.latency')).toHaveLength(0);
    await shot(page, 'overview');
    await page.context().close();
  });
});

describe('live', () => {
  it('shows a run started while the list is open, and turns it green without a reload', async () => {
    const page = await signedIn('viewer', '/runs');
    await page.waitForSelector('[data-live-state] .live-live');
    const run = await p.writer.start(p.wf, { applicant: 'live', amount: 5, product: 'loan' });
    await run.result();
    await page.waitForSelector(`tr[data-run="${run.id}"] .badge[data-status="completed"]`);
    await page.context().close();
  });

  it('follows a waiting run to the end through a dropped stream, missing no event', async () => {
    const run = await p.writer.start(p.review, { applicant: 'sse', amount: 7, product: 'card' });
    for await (const e of p.writer.watch(run.id)) if (e.status === 'waiting') break;
    const page = await signedIn('viewer', `/runs/${run.id}`);
    await page.waitForSelector('[data-live-state] .live-live');
    expect(await page.getAttribute('g[data-step="review"]', 'data-status')).toBe('waiting');
    const after = (await page.getAttribute('[data-island="run-live"]', 'data-after')) ?? '0';
    // Drop every connection (the page's stream included); the browser reconnects with the
    // id of the last event it received.
    server.closeAllConnections();
    await p.writer.signal(run.id, 'review', { approved: true, note: 'signed off' });
    await page.waitForSelector('g[data-step="review"][data-status="succeeded"]');
    await page.waitForSelector('[data-island="run-status"] .badge[data-status="completed"]');
    const journal = await p.writer.journal(run.id);
    const expected = journal.filter((j) => (j.seq ?? 0) > Number(after));
    const island = await page.$('[data-island="run-live"]');
    await page.waitForFunction(
      (n) =>
        document.querySelector<HTMLElement>('[data-island="run-live"]')?.dataset.events ===
        String(n),
      expected.length,
    );
    expect(await island?.getAttribute('data-last-cursor')).toBe(String(journal.at(-1)?.seq));
    await page.context().close();
  });
});

describe('the waiting inbox', () => {
  it('rejects a bad value in the form without sending it, and a good one resumes the run', async () => {
    const page = await signedIn('operator', '/waiting');
    const form = `form.signal[data-run="${p.waitingId}"]`;
    await page.waitForSelector(form);
    await shot(page, 'waiting');
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/signal')) sent.push(r.url());
    });
    await page.selectOption(`${form} select[name="approved"]`, 'true');
    await page.fill(`${form} input[name="note"]`, 'ok');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector(`${form}[data-result="invalid"]`);
    expect(await page.textContent(`${form} [data-error]`)).toMatch(/note/);
    expect(sent).toEqual([]);
    await page.fill(`${form} input[name="note"]`, 'looks right');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector(`${form}[data-result="sent"]`);
    expect(sent).toHaveLength(1);
    let last = '';
    for await (const e of p.writer.watch(p.waitingId)) if (e.status) last = e.status;
    expect(last).toBe('completed');
    await page.context().close();
  });

  it('gives a viewer no form, and the server refuses a forged signal with 403', async () => {
    const run = await p.writer.start(p.review, { applicant: 'viewer', amount: 9, product: 'card' });
    for await (const e of p.writer.watch(run.id)) if (e.status === 'waiting') break;
    const page = await signedIn('viewer', '/waiting');
    expect(await page.$(`form.signal[data-run="${run.id}"]`)).toBeNull();
    expect(await page.textContent(`article[data-run="${run.id}"]`)).toContain('may not answer');
    const status = await page.evaluate(async (id) => {
      const csrf =
        document.querySelector<HTMLMetaElement>('meta[name="baton-csrf"]')?.content ?? '';
      const res = await fetch(`/api/v1/runs/${id}/signal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-baton-csrf': csrf },
        body: JSON.stringify({ name: 'review', payload: { approved: true, note: 'forged' } }),
      });
      return res.status;
    }, run.id);
    expect(status).toBe(403);
    expect((await p.writer.getRun(run.id)).status).toBe('waiting');
    await page.context().close();
  });
});
