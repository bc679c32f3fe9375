/**
 * Dashboard figures: the runs list API's latency at 10k and 100k runs on SQLite (first page, a
 * search-attribute filter, and a page deep in the keyset), the time from a journal commit to its
 * event arriving over SSE, and the JavaScript and CSS the browser downloads (gzipped).
 *
 *   npx tsx bench/dashboard.ts [--sizes 10000,100000] [--samples 200] [--store sqlite|postgres]
 *                              [--only list]
 *
 * `--store postgres` fills a fresh schema on TEST_POSTGRES_URL (dropped afterwards) instead of a
 * SQLite file; `--only list` measures the runs list alone (no SSE, no Vite build).
 *
 * The SSE client is Node's fetch reading the stream over real HTTP on 127.0.0.1 (what a browser's
 * EventSource receives, minus rendering); the commit comes from a second store handle on the file,
 * as another process's would (the server sees it through SQLite's data_version poll).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { postgresStore } from '../src/backends/postgres/index.js';
import { createDashboard, serveDashboard } from '../src/dashboard/index.js';
import { type NewRun, type StateStore, sqliteStore } from '../src/index.js';
import { journalEntry, sampleRun } from '../src/testing/state-store-fixtures.js';
import { dropSchema, POSTGRES_URL, uniqueSchema } from '../test/postgres/pg-admin.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const SIZES = arg('sizes', '10000,100000').split(',').map(Number);
const SAMPLES = Number(arg('samples', '200'));
const STORE = arg('store', 'sqlite');
if (STORE !== 'sqlite' && STORE !== 'postgres')
  throw new TypeError(`--store must be sqlite or postgres, got '${STORE}'`);
const ONLY_LIST = arg('only', '') === 'list';

/** Where one size's runs live: a SQLite file or a PostgreSQL schema, and how to remove it. */
interface Place {
  readonly open: () => StateStore;
  readonly remove: () => Promise<void>;
}

function place(): Place {
  if (STORE === 'postgres') {
    const schema = uniqueSchema('dash');
    return {
      open: () => postgresStore({ connectionString: POSTGRES_URL, schema }),
      remove: () => dropSchema(schema),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-dash-'));
  const path = join(dir, 'baton.db');
  return {
    open: () => sqliteStore(path, { synchronous: 'NORMAL' }),
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
const SECRET = 'bench-secret-of-sixteen-plus';
const ROOT = fileURLToPath(new URL('../', import.meta.url));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function fill(store: StateStore, n: number): Promise<void> {
  await store.migrate();
  const batch: NewRun[] = [];
  for (let i = 0; i < n; i++) {
    const id = `run-${String(i).padStart(7, '0')}`;
    batch.push({
      ...sampleRun(id, {
        createdAt: 1_700_000_000_000 + i,
        status: i % 10 === 0 ? 'failed' : 'completed',
        journal: [journalEntry(id, 'run.started', i)],
      }),
      attributes: { applicant: `app-${i % 5000}`, product: i % 2 ? 'loan' : 'card' },
    });
    if (batch.length === 5000) await store.createRuns(batch.splice(0));
  }
  if (batch.length) await store.createRuns(batch);
  await store.close();
}

async function listLatency(n: number): Promise<void> {
  const where = place();
  try {
    const t0 = performance.now();
    await fill(where.open(), n);
    console.log(
      `filled ${n.toLocaleString('en')} runs (${STORE}) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    const store = where.open();
    const dashboard = createDashboard({ store, secret: SECRET });
    const auth = { authorization: `Bearer ${dashboard.mintToken('viewer')}` };
    const deep = `run-${String(Math.floor(n / 2)).padStart(7, '0')}`;
    const cases: [string, string][] = [
      ['first page (50)', '/api/v1/runs?limit=50'],
      ['status=failed', '/api/v1/runs?limit=50&status=failed'],
      ['where applicant', '/api/v1/runs?limit=50&where=applicant=app-42'],
      ['page at the middle (cursor)', `/api/v1/runs?limit=50&cursor=${deep}`],
    ];
    for (const [label, url] of cases) {
      const times: number[] = [];
      for (let i = 0; i < SAMPLES + 10; i++) {
        const t = performance.now();
        const res = await dashboard.request(url, { headers: auth });
        await res.json();
        if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
        if (i >= 10) times.push(performance.now() - t);
      }
      console.log(
        `runs list API, ${STORE}, ${n.toLocaleString('en')} runs, ${label}: p50 ${ms(pct(times, 0.5))}, p95 ${ms(pct(times, 0.95))}`,
      );
    }
    await dashboard.close();
  } finally {
    await where.remove();
  }
}

async function sseLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-sse-'));
  const path = join(dir, 'baton.db');
  try {
    await fill(sqliteStore(path, { synchronous: 'NORMAL' }), 10);
    const writer = sqliteStore(path);
    await writer.migrate();
    const dashboard = createDashboard({ store: sqliteStore(path), secret: SECRET });
    const served = await serveDashboard(dashboard, { port: 0 });
    const res = await fetch(`${served.url}/api/v1/stream?workflow=wf`, {
      headers: { authorization: `Bearer ${dashboard.mintToken('viewer')}` },
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    const nextEvent = async (): Promise<void> => {
      for (;;) {
        const end = buffered.indexOf('\n\n');
        if (end >= 0) {
          const chunk = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (chunk.includes('event: run')) return;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffered += decoder.decode(value);
      }
    };
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const id = `sse-${i}`;
      const arrived = nextEvent();
      const t = performance.now();
      await writer.createRun(sampleRun(id, { journal: [journalEntry(id, 'run.started', i)] }));
      await arrived;
      times.push(performance.now() - t);
    }
    console.log(
      `SSE commit → client (another store handle, data_version poll): p50 ${ms(pct(times, 0.5))}, p95 ${ms(pct(times, 0.95))}`,
    );
    await reader.cancel();
    await served.close();
    await new Promise((r) => setTimeout(r, 100));
    await dashboard.close();
    await writer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function shipped(): void {
  execFileSync('npx', ['vite', 'build', '--config', 'vite.dashboard.config.ts'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  const dir = join(ROOT, 'dist', 'dashboard', 'assets');
  let js = 0;
  let css = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js') || x.endsWith('.css'))) {
    const gz = gzipSync(readFileSync(join(dir, f))).length;
    if (f.endsWith('.js')) js += gz;
    if (f.endsWith('.css')) css += gz;
  }
  console.log(
    `shipped to the browser (every page, gzipped): JS ${(js / 1024).toFixed(1)} KB, CSS ${(css / 1024).toFixed(1)} KB`,
  );
}

if (!ONLY_LIST) {
  shipped();
  await sseLatency();
}
for (const n of SIZES) await listLatency(n);
