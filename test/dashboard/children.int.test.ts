/**
 * The dashboard follows the links of child workflows both ways (run detail and run page), and
 * its waiting inbox tells runs sleeping on a timer (with their due time) from runs waiting for
 * a signal or a review. A writer runtime on a real SQLite file; the dashboard over its own
 * store on the same file, without the workflows' code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { agent, createRuntime, type Runtime, sqliteStore, workflow } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import {
  calls,
  childFlow,
  Doubled,
  fanOutFlow,
  Num,
  parentFlow,
  untilExists,
} from '../compose/fixtures.js';
import { loanWorkflow } from '../observe/fixtures/workflows.js';
import { tempDbPath } from '../support/temp-db.js';
import { SECRET } from './fixtures.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

let writer: Runtime;
let dashboard: Dashboard;
let token: string;
let remove: () => Promise<void>;
let parentId: string;
let fanId: string;
let sleepId: string;
let reviewId: string;
let humanId: string;

beforeAll(async () => {
  const t = tempDbPath('dashboard-children');
  remove = t.remove;
  const child = childFlow(calls());
  const parent = parentFlow(child);
  const fan = fanOutFlow(child, 2);
  const nap = workflow('dash-nap', { version: 1, input: Num })
    .sleep('nap', { ms: HOUR })
    .output((s) => ({ n: s.input.n }));
  const review = loanWorkflow({ review: true });
  // A step that fails and is put up for review (reason `review`).
  const unsure = agent({
    name: 'unsure',
    version: '1.0.0',
    input: Num,
    output: Doubled,
    policy: { onFailure: 'human', retry: { maxAttempts: 1 } },
    execute: () => {
      throw new Error('model unsure');
    },
  });
  const human = workflow('dash-human', { version: 1, input: Num })
    .step('guess', unsure, { input: (s) => s.input })
    .output((s) => s.guess);
  const clock = new FakeClock(T0);
  writer = createRuntime({
    store: sqliteStore(t.path),
    workflows: [child, parent, fan, nap, review, human],
    clock,
    pollMs: 50,
  });
  await writer.ready();
  const p = await writer.start(parent, { n: 1 });
  await p.result();
  parentId = p.id;
  const f = await writer.start(fan, { ns: [1, 2, 3] });
  await f.result();
  fanId = f.id;
  const s = await writer.start(nap, { n: 5 });
  sleepId = s.id;
  await untilExists(writer, sleepId, 'waiting');
  const r = await writer.start(review, { applicant: 'bob', amount: 3_000, product: 'card' });
  reviewId = r.id;
  await untilExists(writer, reviewId, 'waiting');
  humanId = (await writer.start(human, { n: 9 })).id;
  await untilExists(writer, humanId, 'waiting');
  dashboard = createDashboard({ store: sqliteStore(t.path), secret: SECRET, pollMs: 100 });
  token = dashboard.mintToken('viewer');
});
afterAll(async () => {
  await dashboard?.close();
  await writer?.close();
  await remove?.();
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await dashboard.request(path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}
const json = async (path: string) => JSON.parse((await get(`/api/v1${path}`)).text);

describe('child workflow links', () => {
  it('names a child’s parent and step in its run detail, and a parent’s children', async () => {
    const childId = `${parentId}.child`;
    const parent = await json(`/runs/${encodeURIComponent(parentId)}`);
    expect(parent.parent).toBeNull();
    expect(parent.children).toEqual([
      { runId: childId, step: 'child', workflow: 'compose-child', status: 'completed' },
    ]);
    const child = await json(`/runs/${encodeURIComponent(childId)}`);
    expect(child.parent).toEqual({ runId: parentId, step: 'child' });
    expect(child.children).toEqual([]);
  });

  it('lists a fan-out’s children in index order', async () => {
    const fan = await json(`/runs/${encodeURIComponent(fanId)}`);
    expect(fan.children.map((c: { runId: string; step: string }) => [c.runId, c.step])).toEqual([
      [`${fanId}.each.0`, 'each'],
      [`${fanId}.each.1`, 'each'],
      [`${fanId}.each.2`, 'each'],
    ]);
  });

  it('links the run pages both ways', async () => {
    const childId = `${parentId}.child`;
    const parentPage = await get(`/runs/${encodeURIComponent(parentId)}`);
    expect(parentPage.status).toBe(200);
    expect(parentPage.text).toContain('data-testid="children"');
    expect(parentPage.text).toContain(`href="/runs/${encodeURIComponent(childId)}"`);
    expect(parentPage.text).not.toContain('data-testid="parent"');
    const childPage = await get(`/runs/${encodeURIComponent(childId)}`);
    expect(childPage.text).toMatch(
      new RegExp(`data-testid="parent"><a href="/runs/${encodeURIComponent(parentId)}">`),
    );
    expect(childPage.text).not.toContain('data-testid="children"');
  });

  it('says beside the verified chain whether the run’s end is sealed', async () => {
    const ended = await get(`/runs/${encodeURIComponent(parentId)}`);
    expect(ended.text).toMatch(/data-testid="seal">end sealed: status, output and head match/);
    const waiting = await get(`/runs/${encodeURIComponent(sleepId)}`);
    expect(waiting.text).toMatch(/data-testid="seal">not ended yet/);
  });
});

describe('the waiting inbox', () => {
  it('answers timers with their due time apart from signals and reviews (API)', async () => {
    const all = await json('/waits');
    // The timer is due first; the other two are due never and began at the same (fake) time.
    expect(all.waits).toHaveLength(3);
    expect(all.waits[0]).toEqual({
      runId: sleepId,
      workflow: 'dash-nap',
      step: 'nap',
      reason: 'timer',
      since: T0,
      dueAt: T0 + HOUR,
    });
    expect(all.waits.slice(1)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ runId: reviewId, reason: 'signal', dueAt: null }),
        expect.objectContaining({ runId: humanId, step: 'guess', reason: 'review', dueAt: null }),
      ]),
    );
    const reviews = await json('/waits?reason=review');
    expect(reviews.waits.map((w: { runId: string }) => w.runId)).toEqual([humanId]);
    const timers = await json('/waits?reason=timer');
    expect(timers.waits.map((w: { runId: string }) => w.runId)).toEqual([sleepId]);
    const bad = await get('/api/v1/waits?reason=nap');
    expect(bad.status).toBe(400);
  });

  it('shows timers in their own table with the due time, the others with their reason and form', async () => {
    const page = await get('/waiting');
    expect(page.status).toBe(200);
    const timers = page.text.slice(page.text.indexOf('data-testid="timers"'));
    expect(timers).toContain(`data-timer="${sleepId}"`);
    expect(timers).toContain(new Date(T0 + HOUR).toISOString().replace('T', ' ').slice(0, 19));
    expect(timers).not.toContain(reviewId);
    // The sleeping run gets no signal form in the inbox; the run waiting for a signal does.
    expect(page.text).not.toContain(`<article class="waiting" data-run="${sleepId}"`);
    expect(page.text).toContain(`<article class="waiting" data-run="${reviewId}"`);
    expect(page.text).toContain(
      '<h3 data-reason="signal">review <span class="reason">waiting for a signal',
    );
    expect(page.text).toContain(
      '<h3 data-reason="review">guess <span class="reason">waiting for review',
    );
  });
});
