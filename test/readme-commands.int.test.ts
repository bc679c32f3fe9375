/**
 * The commands the docs print keep working as printed: every `npx baton …` line of the shell
 * blocks in README.md and the credit example's README, the closing commands of `npm start`'s
 * summary, the Quick start's closing line and `baton demo`'s, each run against a prepared store.
 *
 * They run as `node bin/baton.js …` (the file npx resolves `baton` to in a checkout; that npx
 * resolves it there, and never to the registry, is checked on a fresh clone, see the README), in
 * a directory holding the store as `./baton.db` and a link to `examples/`, so relative paths
 * and the default store work as a reader's shell would have them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildGraph } from '../bench/langgraph.js';
import { generateApplications } from '../bench/workload.js';
import { formatReport } from '../examples/credit-decisioning/system/format.js';
import { runSystem } from '../examples/credit-decisioning/system/system.js';
import { agent, contract, createRuntime, sqliteStore, workflow } from '../src/index.js';
import { BatonSaver } from '../src/langgraph/index.js';
import { ensureBuilt, ROOT } from './cli/helpers.js';

const BIN = join(ROOT, 'bin', 'baton.js');
/** The run ids the docs show, replaced by a real run of the prepared store. */
const PLACEHOLDERS = [/0mwx8q…/g, /<run-id>/g];

/** A shell line as words: whitespace-separated, single quotes grouping (JSON payloads). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/**
 * The `npx baton` commands of a markdown file's shell blocks: continuation lines joined, comment
 * lines and trailing `  # comments` dropped.
 */
function docCommands(markdown: string): string[] {
  const out: string[] = [];
  for (const [, body] of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = body!.replace(/\\\n\s*/g, '');
    for (const raw of joined.split('\n')) {
      const line = raw.replace(/\s+#\s.*$/, '').trim();
      if (/^(\w+=\S+\s+)*npx baton\s/.test(line)) out.push(line);
    }
  }
  return out;
}

interface Result {
  readonly line: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a printed `[VAR=value …] npx baton …` line in `cwd`. */
function run(line: string, cwd: string): Promise<Result> {
  const w = words(line);
  const env: Record<string, string> = { ...process.env, NO_COLOR: '1' } as Record<string, string>;
  while (/^\w+=/.test(w[0]!)) {
    const [k, ...v] = w.shift()!.split('=');
    env[k!] = v.join('=');
  }
  expect(w.slice(0, 2), line).toEqual(['npx', 'baton']);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...w.slice(2)], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ line, code, stdout, stderr }));
  });
}

/** Runs lines a few at a time (they share one SQLite file; some write forks). */
async function runAll(lines: readonly string[], cwd: string): Promise<Result[]> {
  const results: Result[] = [];
  for (let i = 0; i < lines.length; i += 3)
    results.push(...(await Promise.all(lines.slice(i, i + 3).map((l) => run(l, cwd)))));
  return results;
}

const expectOk = (r: Result): void => {
  expect({ line: r.line, code: r.code, stderr: r.stderr }).toEqual({
    line: r.line,
    code: 0,
    stderr: '',
  });
  expect(r.stdout.length, r.line).toBeGreaterThan(0);
};

let dir: string;
let summary: string;
/** The applicant's completed, approved run rated A: the walkthrough's story ("approved… the rating is A"). */
let ratedA: string;
/** The applicant the walkthrough starts from (`runs --where applicant=…`); seed 1 rates it A. */
const APPLICANT = 'app-000004';

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'baton-readme-commands-'));
  symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));
  const store = join(dir, 'baton.db');
  const report = await runSystem({
    applications: 40,
    seed: 1,
    concurrency: 16,
    faults: 'default',
    storePath: store,
    autoReview: false,
  });
  summary = formatReport(report, './baton.db');
  const rt = createRuntime({ store: sqliteStore(store), resume: false });
  try {
    // Found by the search attribute the demo workflow declares, as the walkthrough finds it.
    const [r, ...more] = await rt.listRuns({ where: { applicant: APPLICANT } });
    expect(more).toEqual([]);
    const data = (await rt.state(r!.runId, r!.headVersion)).data as {
      risk?: { rating?: string };
      decision?: { outcome?: string };
    };
    expect([r!.status, data.risk?.rating, data.decision?.outcome]).toEqual([
      'completed',
      'A',
      'approve',
    ]);
    ratedA = r!.runId;
    // The composition section's CLI lines steer the schedule its example declares.
    const Batch = contract('review.batch@1', z.object({ docs: z.array(z.string()) }));
    const count = agent({
      name: 'doc-count',
      version: '1.0.0',
      input: Batch,
      output: contract('review.count@1', z.number().int()),
      execute: async (b) => b.docs.length,
    });
    const reviewBatch = workflow('review-batch', { version: 1, input: Batch })
      .step('count', count, { input: (s) => s.input })
      .output((s) => s.count);
    await rt.schedule('nightly-review', reviewBatch, { cron: '0 2 * * *', input: { docs: [] } });
  } finally {
    await rt.close();
  }
  // The LangGraph section's thread, as its example writes it (examples/readme/langgraph.ts).
  const lgStore = sqliteStore(store);
  try {
    const graph = buildGraph({ mode: 'trivial' }).compile({
      checkpointer: new BatonSaver(lgStore, { graph: 'credit' }),
    });
    const [app] = generateApplications(42, 1);
    await graph.invoke({ app: app! }, { configurable: { thread_id: 'loan-42' } });
  } finally {
    await lgStore.close();
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the commands the docs print', () => {
  it('README.md and the credit example’s README: every npx baton line runs as printed', async () => {
    const lines = ['README.md', 'examples/credit-decisioning/README.md'].flatMap((f) =>
      docCommands(readFileSync(join(ROOT, f), 'utf8')),
    );
    // The walkthrough (blame, show, history, bisect, diff, trace, replay) and the example's own.
    expect(lines.length).toBeGreaterThanOrEqual(13);
    const concrete = lines.map((l) => PLACEHOLDERS.reduce((s, p) => s.replace(p, ratedA), l));
    const results = await runAll(concrete, dir);
    for (const r of results) expectOk(r);
    const by = (prefix: string) => results.filter((r) => r.line.startsWith(prefix));
    for (const r of by(`npx baton runs --where applicant=${APPLICANT}`))
      expect(r.stdout).toContain(ratedA);
    expect(by('npx baton runs --where').length).toBe(2);
    // The two-command walkthrough: the applicant's run found by its search attribute.
    const byApplicant = by(`npx baton blame --where applicant=${APPLICANT}`);
    expect(byApplicant.length).toBe(2);
    for (const r of byApplicant) expect(r.stdout).toContain(`run ${ratedA} (the only match)`);
    expect(by('npx baton blame')[0]!.stdout).toMatch(/written by:\s+final-approval@1\.0\.0/);
    expect(by('npx baton blame')[1]!.stdout).toMatch(/written by:\s+risk-assessment@1\.0\.0/);
    expect(by('npx baton bisect')[0]!.stdout).toMatch(/first version: +v\d/);
    for (const r of by('npx baton replay')) expect(r.stdout).toContain(`replayed run ${ratedA}`);
    expect(by('npx baton replay').at(-1)!.stdout).toContain('risk=risk-assessment@2.0.0');
  });

  it('npm start’s closing commands run as printed', async () => {
    const lines = summary
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.includes('npx baton '));
    expect(lines.map((l) => words(l).find((_, i, a) => a[i - 1] === 'baton'))).toEqual([
      'show',
      'trace',
      'blame',
      'replay',
    ]);
    for (const r of await runAll(lines, dir)) expectOk(r);
  });

  it('`baton demo` and the Quick start print commands that run as printed', async () => {
    const demo = await run(`npx baton demo --store ${join(dir, 'demo.db')}`, dir);
    expectOk(demo);
    const printed = /inspect it: (npx baton .*)$/m.exec(demo.stdout)?.[1];
    expect(printed).toBeDefined();
    expectOk(await run(printed!, dir));

    // The Quick start, run as a reader would (tsx), in a directory of its own.
    const qs = mkdtempSync(join(dir, 'quickstart-'));
    const out = await new Promise<Result>((resolve, reject) => {
      const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
      const child = spawn(tsx, [join(ROOT, 'examples', 'readme', 'quickstart.ts')], {
        cwd: qs,
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ line: 'quickstart', code, stdout, stderr }));
    });
    expect(out.code, out.stderr).toBe(0);
    const last = out.stdout.trim().split('\n').at(-1)!;
    const [show, trace] = last.split('; ');
    expect(show).toMatch(/^npx baton show \S+$/);
    const [s, t] = await Promise.all([run(show!, qs), run(trace!, qs)]);
    expectOk(s);
    expectOk(t);
    // Tracing to the store is on in the Quick start: the waterfall has the run and its steps.
    expect(t.stdout).toMatch(/^run credit-decision /m);
    expect(t.stdout).toMatch(/^ {2}step score /m);
  });
});
