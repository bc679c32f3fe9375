/**
 * `baton blame`, run as a subprocess against a SQLite store prepared with the public API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Blame, createRuntime, sqliteStore } from '../../src/index.js';
import { type PreparedStore, prepareStore } from './fixtures/prepare-store.js';
import { flaky, reference } from './fixtures/workflows.js';
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

describe('baton blame --where', () => {
  /** One applicant's runs, oldest first: a failed one, then a completed one. */
  let runs: string[];

  beforeAll(async () => {
    runs = [];
    for (const wf of [flaky, reference]) {
      // A runtime per run: the flaky run's breaker policy is per runtime (see prepare-store).
      const rt = createRuntime({ store: sqliteStore(db.path), workflows: [wf], resume: false });
      try {
        const h = await rt.start(wf, db.app, { tags: { applicant: 'a-7' } });
        await h.result().catch(() => {});
        runs.push(h.id);
      } finally {
        await rt.close();
      }
    }
  });

  it('blames the newest run with the search attribute and names the others', async () => {
    const [failedRun, completedRun] = runs as [string, string];
    const [text, out] = await Promise.all([
      baton([...S, 'blame', '--where', 'applicant=a-7', 'decision.outcome']),
      baton([...S, '--json', 'blame', '--where', 'applicant=a-7', 'decision.outcome']),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`run ${completedRun} (the newest match; also: ${failedRun})`);
    expect(text.stdout).toContain(`decision.outcome at v`);
    expect(text.stdout).toContain(`of run ${completedRun}: "approve"`);
    expect(text.stdout).toMatch(/written by:\s+decision@1\.0\.0/);
    expect(json<Blame & { otherRuns: string[] }>(out)).toMatchObject({
      runId: completedRun,
      value: 'approve',
      setBy: { step: 'decision', createdBy: 'decision@1.0.0' },
      otherRuns: [failedRun],
    });
  });

  it('exits 1 when no run matches, 2 when given a run id too or no path', async () => {
    const [none, both, noPath] = await Promise.all([
      baton([...S, 'blame', '--where', 'applicant=nobody', 'decision.outcome']),
      baton([...S, 'blame', '--where', 'applicant=a-7', runs[1]!, 'decision.outcome']),
      baton([...S, 'blame', runs[1]!]),
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('applicant=nobody');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    expect(noPath.code).toBe(2);
    expect(noPath.stderr).toContain("'path'");
  });
});
