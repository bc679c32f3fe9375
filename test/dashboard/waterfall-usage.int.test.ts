/**
 * The run page's waterfall shows model usage where it was recorded: tokens and, when the call
 * had a price, its cost, on the attempt and as totals on the step and the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDashboard, type Dashboard } from '../../src/dashboard/index.js';
import {
  agent,
  contract,
  createRuntime,
  createTracing,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { SECRET } from './fixtures.js';

const Text = contract('usage.text@1', z.object({ text: z.string() }));

/** An agent that reports one model call, priced or not. */
const caller = (name: string, costUsd?: number) =>
  agent({
    name,
    version: '1.0.0',
    input: Text,
    output: Text,
    execute: async (t, ctx) => {
      ctx.usage({
        model: 'small-model',
        inputTokens: 120,
        outputTokens: 30,
        ...(costUsd !== undefined ? { costUsd } : {}),
      });
      return t;
    },
  });

const wf = workflow('usage', { version: 1, input: Text })
  .step('priced', caller('priced', 0.0042), { input: (s) => s.input })
  .step('unpriced', caller('unpriced'), { input: (s) => s.input })
  .output((s) => s.unpriced);

let html: string;
let dashboard: Dashboard;
let remove: () => Promise<void>;

beforeAll(async () => {
  const t = tempDbPath('waterfall-usage');
  remove = t.remove;
  const store = sqliteStore(t.path);
  const telemetry = createTracing({ store });
  const rt = createRuntime({ store, workflows: [wf], telemetry });
  let runId: string;
  try {
    const h = await rt.start(wf, { text: 'hello' });
    await h.result();
    runId = h.id;
  } finally {
    await telemetry.flush();
    await rt.close();
  }
  const reader = sqliteStore(t.path);
  await reader.migrate();
  dashboard = createDashboard({ store: reader, secret: SECRET });
  const res = await dashboard.request(`/runs/${runId}`, {
    headers: { authorization: `Bearer ${dashboard.mintToken('viewer')}` },
  });
  html = await res.text();
  expect(res.status, html).toBe(200);
});

afterAll(async () => {
  await dashboard?.close();
  await remove?.();
});

/** The usage cell of each waterfall row, by span name. */
function usageCells(page: string): Map<string, string> {
  const table = /<table class="waterfall"[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
  const out = new Map<string, string>();
  for (const row of table.match(/<tr[\s\S]*?<\/tr>/g) ?? []) {
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
    out.set(cells[0]!, cells.at(-1)!);
  }
  return out;
}

describe('the waterfall', () => {
  it('shows tokens and the cost of a priced call, and tokens alone for an unpriced one', () => {
    const cells = usageCells(html);
    const priced = [...cells].filter(([name]) => name.includes('priced') && !name.includes('un'));
    const unpriced = [...cells].filter(([name]) => name.includes('unpriced'));
    expect(priced.length).toBeGreaterThan(0);
    expect(unpriced.length).toBeGreaterThan(0);
    for (const [name, cell] of priced) expect(cell, name).toBe('120 in / 30 out · $0.0042');
    for (const [name, cell] of unpriced) expect(cell, name).toBe('120 in / 30 out');
    // The run's totals: both calls' tokens, and the one price recorded.
    const run = [...cells].find(([name]) => name.startsWith('run'));
    expect(run?.[1]).toBe('240 in / 60 out · $0.0042');
  });
});
