/**
 * `baton blame`, run as a subprocess against a SQLite store prepared with the public API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Blame } from '../../src/index.js';
import { type PreparedStore, prepareStore } from './fixtures/prepare-store.js';
import { baton, ensureBuilt, json, WORKFLOWS } from './helpers.js';

let dir: string;
let db: PreparedStore;
let S: string[];

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-blame-'));
  db = await prepareStore(join(dir, 'baton.db'));
  S = ['--store', db.path];
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('baton blame', () => {
  it('names the version, agent, step, read version and input behind a value (text and JSON)', async () => {
    const { runId, steps } = db.completed;
    const decisionV = steps.indexOf('decision') + 1;
    const riskV = steps.indexOf('risk') + 1;
    const [text, out, withInput] = await Promise.all([
      baton([...S, 'blame', runId, 'decision.outcome']),
      baton([...S, '--json', 'blame', runId, 'decision.outcome']),
      baton([...S, 'blame', runId, 'decision.outcome', '--workflows', WORKFLOWS]),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `decision.outcome at v${steps.length} of run ${runId}: "approve"`,
    );
    expect(text.stdout).toMatch(new RegExp(`set at:\\s+v${decisionV} \\(step decision\\)`));
    expect(text.stdout).toMatch(/written by:\s+decision@1\.0\.0/);
    expect(text.stdout).toMatch(new RegExp(`read:\\s+v${riskV}`));
    expect(text.stdout).toContain('pass --workflows <module> to see it');
    const b = json<Blame>(out);
    expect(b).toMatchObject({
      value: 'approve',
      setBy: { version: decisionV, step: 'decision', createdBy: 'decision@1.0.0' },
      input: { version: riskV, kind: 'state' },
      via: [],
    });
    // With the workflow, the exact input the decision agent received.
    expect(withInput.code).toBe(0);
    expect(withInput.stdout).toContain(`input (the step's selector over v${riskV}):`);
    expect(withInput.stdout).toMatch(/"rating": "[AB]",\s+"flagged": false/);
  });

  it('blames an earlier version, and fails with exit 1 on a value that is not there', async () => {
    const { runId } = db.completed;
    const [early, absent, unknown, badPath] = await Promise.all([
      baton([...S, '--json', 'blame', runId, 'input.id', '--at', '1']),
      baton([...S, 'blame', runId, 'decision.outcome', '--at', '2']),
      baton([...S, 'blame', 'no-such-run', 'decision.outcome']),
      baton([...S, 'blame', runId, 'decision..outcome']),
    ]);
    expect(json<Blame>(early)).toMatchObject({
      version: 1,
      value: db.app.id,
      setBy: { version: 1, step: 'input', createdBy: 'system' },
      input: { kind: 'none', version: null },
    });
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain('decision.outcome');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no-such-run');
    expect(badPath.code).toBe(1);
    expect(badPath.stderr).toContain('malformed path');
  });
});
