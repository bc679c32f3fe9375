import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ChildResult, type ChildSpec, RESULT_MARKER } from './lines.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function runChild(spec: ChildSpec) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/child.ts', JSON.stringify(spec)],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  return {
    status: r.status,
    stderr: r.stderr,
    result: line ? (JSON.parse(line.slice(RESULT_MARKER.length)) as ChildResult) : undefined,
  };
}

const spec: ChildSpec = {
  line: 'sqlite-trivial-64',
  impl: 'langgraph',
  mode: 'trivial',
  store: 'sqlite',
  inFlight: 4,
  runs: 12,
  warmup: 3,
  seed: 9,
  budgetMs: null,
};

describe('a bench child process', () => {
  it('measures a line and reports what it checked', () => {
    const { status, result } = runChild(spec);
    expect(status).toBe(0);
    expect(result).toMatchObject({ line: 'sqlite-trivial-64', impl: 'langgraph', runs: 12 });
    expect(result!.runsPerSec).toBeCloseTo(12 / (result!.wallMs / 1000), 6);
    expect(result!.usPerStep).toBeCloseTo((result!.wallMs * 1000) / (12 * 5), 6);
    expect(result!.peakRssBytes).toBeGreaterThanOrEqual(result!.baselineRssBytes);
    expect(result!.checked).toBe('15 decisions equal the oracle; 15 runs found in the SQLite file');
  });

  it('fails loudly, with no result, when a decision differs from the oracle', () => {
    const { status, stderr, result } = runChild({ ...spec, store: 'memory', corruptRun: 5 });
    expect(status).toBe(1);
    expect(result).toBeUndefined();
    expect(stderr).toMatch(/1 of 12 decisions differ from the oracle/);
  });
});
