import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createRuntime, createTracing, sqliteStore } from '../../src/index.js';
import type { EvalReport, UsageReport } from '../../src/llm/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { explainFlow } from './fixtures/eval-workflows.js';
import { DECLINED, TOKENS } from './helpers.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'eval-workflows.ts');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A fresh, migrated store file. */
async function storeFile(): Promise<string> {
  const db = tempDbPath('llm-cli');
  cleanups.push(db.remove);
  const store = sqliteStore(db.path);
  await store.migrate();
  await store.close();
  return db.path;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    color: false,
  });
  return { code, out, err };
}

describe('baton usage', () => {
  it('prints the tokens and cost recorded in the store, by agent and by model', async () => {
    const path = await storeFile();
    const store = sqliteStore(path);
    const tracing = createTracing({ store });
    const rt = createRuntime({ store, workflows: [explainFlow], telemetry: tracing });
    for (const applicant of ['u1', 'u2'])
      await (await rt.start(explainFlow, { ...DECLINED, applicant })).result();
    await tracing.flush();
    await rt.close();

    const json = await cli(['--store', path, '--json', 'usage', '--by', 'model']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out) as UsageReport;
    expect(report.rows).toEqual([
      expect.objectContaining({
        key: 'mock-model',
        runs: 2,
        calls: 2,
        inputTokens: 2 * TOKENS.input,
        outputTokens: 2 * TOKENS.output,
        costUsd: (2 * TOKENS.input * 1 + 2 * TOKENS.output * 2) / 1e6,
      }),
    ]);
    const table = await cli(['--store', path, 'usage', '--since', '1h']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/AGENT\s+RUNS\s+CALLS\s+INPUT\s+OUTPUT\s+COST/);
    expect(table.out).toMatch(/explain@1\.0\.0\s+2\s+2\s+200\s+40\s+\$0\.000280/);
    const future = await cli(['--store', path, 'usage', '--since', '2999-01-01']);
    expect(future.out).toContain('no model usage recorded');
    const bad = await cli(['--store', path, 'usage', '--by', 'color']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('must be one of agent, model, workflow, run, step');
  });
});

describe('baton eval', () => {
  it('runs a dataset k times and reports pass@1, pass^k and judge scores', async () => {
    const path = await storeFile();
    const dataset = join(dirname(path), 'cases.jsonl');
    const line = (applicant: string, expected?: unknown) =>
      JSON.stringify({ input: { ...DECLINED, applicant }, ...(expected ? { expected } : {}) });
    writeFileSync(
      dataset,
      `${[line('always'), line('never'), '', line('flaky'), line('wrong', { summary: 'other' })].join('\n')}\n`,
    );
    const r = await cli([
      '--store',
      path,
      '--json',
      'eval',
      dataset,
      '--workflows',
      FIXTURE,
      '--repeat',
      '2',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as EvalReport;
    expect(report.cases.map((c) => [c.passed, c.passAll, c.failures])).toEqual([
      [2, true, []],
      [0, false, ['CONTRACT_VIOLATION', 'CONTRACT_VIOLATION']],
      [1, false, ['CONTRACT_VIOLATION']],
      [0, false, ['UNEXPECTED_OUTPUT', 'UNEXPECTED_OUTPUT']],
    ]);
    expect(report.passAt1).toBe((1 + 0 + 0.5 + 0) / 4);
    expect(report.passHatK).toBe(1 / 4);
    // The judge scored every run whose output passed its contract.
    expect(report.scores).toEqual({ faithful: 0.8 });
    expect(report.cases[1]!.scores).toEqual({});

    const table = await cli(['--store', path, 'eval', dataset, '--workflows', FIXTURE]);
    expect(table.out).toContain('explain-eval: 4 cases x 1');
    expect(table.out).toMatch(/PASS\^1/);
  });

  it('names the dataset line at fault', async () => {
    const path = await storeFile();
    const dataset = join(dirname(path), 'bad.jsonl');
    writeFileSync(dataset, `${JSON.stringify({ input: DECLINED })}\n{"inputs": 1}\n`);
    const r = await cli(['--store', path, 'eval', dataset, '--workflows', FIXTURE]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('dataset line 2');
  });
});
