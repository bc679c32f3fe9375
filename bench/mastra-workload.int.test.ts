/**
 * The Mastra peer on Node 24 gives the oracle's decisions, and its check can fail. Runs only
 * when Node 24 and the Mastra install (bench/mastra-setup.ts) are present; otherwise skipped
 * with the reason printed (`npx tsx bench/mastra.ts --quick` installs both).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { MASTRA_RESULT_MARKER, type MastraChildResult, type MastraSpec } from './mastra/spec.js';
import { findInstall, type MastraInstall, transpileInto } from './mastra-setup.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const found = findInstall(root);
if (typeof found === 'string') console.warn(`skipping the Mastra peer tests: ${found}`);

const spec = (over: Partial<MastraSpec>): MastraSpec => ({
  line: 'test',
  impl: 'mastra',
  store: 'memory',
  mode: 'trivial',
  inFlight: 8,
  runs: 24,
  warmup: 2,
  seed: 7,
  budgetMs: null,
  ...over,
});

describe.skipIf(typeof found === 'string')('Mastra peer on Node 24', () => {
  const install = found as MastraInstall;
  let jsDir = '';
  beforeAll(() => {
    jsDir = transpileInto(root, install);
  });

  const child = (s: MastraSpec) => {
    const out = spawnSync(
      install.node,
      [join(jsDir, 'bench', 'mastra', 'child.js'), JSON.stringify(s)],
      {
        cwd: install.dir,
        encoding: 'utf8',
        env: { ...process.env, MASTRA_TELEMETRY_DISABLED: '1' },
        timeout: 60_000,
      },
    );
    const line = out.stdout.split('\n').find((l) => l.startsWith(MASTRA_RESULT_MARKER));
    const result =
      line === undefined
        ? undefined
        : (JSON.parse(line.slice(MASTRA_RESULT_MARKER.length)) as MastraChildResult);
    return { status: out.status, stderr: out.stderr, result };
  };

  it('runs the Mastra workflow to the oracle decision of every application, on Node 24', () => {
    const r = child(spec({}));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.result?.node).toMatch(/^v24\./);
    expect(r.result?.runs).toBe(24);
    expect(r.result?.checked).toBe('26 decisions equal the oracle');
  });

  it('persists every run in LibSQLStore (default and FULL) and Baton in sqliteStore, on Node 24', () => {
    const sides: Partial<MastraSpec>[] = [
      { impl: 'mastra' },
      { impl: 'mastra', mastraSynchronous: 'FULL' },
      { impl: 'baton' },
    ];
    for (const side of sides) {
      const r = child(spec({ ...side, store: 'sqlite', runs: 12 }));
      expect(r.status, r.stderr).toBe(0);
      expect(r.result?.node).toMatch(/^v24\./);
      expect(r.result?.checked).toBe('14 decisions equal the oracle; 14 runs found in the file');
    }
  });

  it('fails loudly when one decision differs from the oracle', () => {
    const r = child(spec({ runs: 10, corruptRun: 3 }));
    expect(r.status).not.toBe(0);
    expect(r.result).toBeUndefined();
    expect(r.stderr).toMatch(/1 of 10 decisions differ from the oracle/);
  });
});
