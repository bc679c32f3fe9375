/**
 * Dashboard figures: the runs list API's latency at 10k and 100k runs on SQLite (first page, a
 * search-attribute filter, and a page deep in the keyset), the time from a journal commit to its
 * event arriving over SSE, and the JavaScript and CSS the browser downloads (gzipped).
 *
 *   npx tsx bench/dashboard.ts [--sizes 10000,100000] [--samples 200]
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
import { createDashboard, serveDashboard } from '../src/dashboard/index.js';
import { type NewRun, sqliteStore } from '../src/index.js';
import { journalEntry, sampleRun } from '../src/testing/state-store-fixtures.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const SIZES = arg('sizes', '10000,100000').split(',').map(Number);
const SAMPLES = Number(arg('samples', '200'));
const SECRET = 'bench-secret-of-sixteen-plus';
const ROOT = fileURLToPath(new URL('../', import.meta.url));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function fill(path: string, n: number): Promise<void> {
  const store = sqliteStore(path, { synchronous: 'NORMAL' });
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
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-dash-'));
  const path = join(dir, 'baton.db');
  try {
    await fill(path, n);
    const store = sqliteStore(path);
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
        `runs list API, ${n.toLocaleString('en')} runs, ${label}: p50 ${ms(pct(times, 0.5))}, p95 ${ms(pct(times, 0.95))}`,
      );
    }
    await dashboard.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sseLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-sse-'));
  const path = join(dir, 'baton.db');
  try {
    await fill(path, 10);
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

shipped();
await sseLatency();
for (const n of SIZES) await listLatency(n);
