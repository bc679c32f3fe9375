/// <reference lib="dom" />
/**
 * The run page's fork control in a real browser (Debian's Chromium through playwright-core),
 * against a dashboard embedded in a runtime that has the workflow's code: the input is prefilled
 * from the chosen version, an edit shows as a leaf diff before anything is sent, a bad value gets
 * the contract's message, and a good one forks the run on the edited input.
 */
import type { Server } from 'node:http';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard, type Dashboard, serveDashboard } from '../../src/dashboard/index.js';
import { type StateStore, sqliteStore } from '../../src/index.js';
import { type Prepared, prepare } from './fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let p: Prepared;
let store: StateStore;
let embedded: Dashboard;
let server: Server;
let base: string;
let stop: () => Promise<void>;
let browser: Browser;

beforeAll(async () => {
  p = await prepare('browser-fork');
  store = sqliteStore(p.path);
  await store.migrate();
  embedded = createDashboard({ runtime: p.writer, store, secret: 'browser-fork-secret-16' });
  const served = await serveDashboard(embedded, { port: 0 });
  server = served.server;
  base = served.url;
  stop = served.close;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
  await embedded?.close();
  await store?.close();
  await p?.close();
});

describe('fork with an edited input', () => {
  it('shows the edit as a diff, refuses a bad value with the contract’s message, and forks on a good one', async () => {
    expect(server.listening).toBe(true);
    const page = await browser.newPage();
    const token = encodeURIComponent(embedded.mintToken('operator'));
    await page.goto(`${base}/runs/${p.completedId}?token=${token}`);
    await page.waitForSelector('html[data-ready="true"]');
    const form = page.getByTestId('fork');
    const text = form.locator('textarea[name="input"]');
    expect(JSON.parse(await text.inputValue())).toEqual({
      applicant: 'ann',
      amount: 1_000,
      product: 'loan',
    });
    await expect.poll(() => form.getAttribute('data-changes')).toBe('0');

    await text.fill(JSON.stringify({ applicant: 'ann', amount: -5, product: 'loan' }));
    await expect.poll(() => form.getAttribute('data-changes')).toBe('1');
    const row = page.getByTestId('fork-diff').locator('tr[data-path="amount"]');
    expect(await row.textContent()).toContain('1000');
    expect(await row.textContent()).toContain('-5');
    const before = (await p.writer.listRuns({ limit: 500 })).length;
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => form.getAttribute('data-result')).toBe('rejected');
    expect(await form.locator('[data-error]').textContent()).toMatch(/amount/);
    expect((await p.writer.listRuns({ limit: 500 })).length).toBe(before);

    await text.fill(JSON.stringify({ applicant: 'ann', amount: 2_500, product: 'loan' }));
    await Promise.all([
      page.waitForURL(
        (u) => u.pathname.startsWith('/runs/') && !u.pathname.endsWith(p.completedId),
      ),
      form.locator('button[type="submit"]').click(),
    ]);
    const forkId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const fork = await p.writer.getRun(forkId);
    expect(fork).toMatchObject({ parentRunId: p.completedId, parentVersion: 1 });
    const first = await p.writer.state(forkId, 1);
    expect(first.data.input).toEqual({ applicant: 'ann', amount: 2_500, product: 'loan' });
    await page.close();
  });
});
