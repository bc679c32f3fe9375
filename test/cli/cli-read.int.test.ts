/**
 * The `baton` CLI, run as a subprocess against a SQLite store prepared with the public API:
 * the read-only commands, in table and --json form, and every way a command can be refused.
 */
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakerTransition, RunRecord, StateDiff, StateSnapshot } from '../../src/index.js';
import { outcomeOf, ratingOf, scoreOf, verifiedOf } from '../orchestrator/fixtures.js';
import { type PreparedStore, prepareStore } from './fixtures/prepare-store.js';
import { baton, ensureBuilt, json, ROOT, tableRows } from './helpers.js';

let dir: string;
let db: PreparedStore;
/** `--store <path>` for the prepared store. */
let S: string[];

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
  db = await prepareStore(join(dir, 'baton.db'));
  S = ['--store', db.path];
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const version = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const COMMANDS = [
  'runs',
  'show',
  'history',
  'diff',
  'trace',
  'replay',
  'bisect',
  'verify',
  'breakers',
  'signal',
  'cancel',
];

describe('help and version', () => {
  it('prints every command with --help and the package version with --version, exit 0', async () => {
    const [help, ver, subHelp, none] = await Promise.all([
      baton(['--help']),
      baton(['--version']),
      baton(['bisect', '--help']),
      baton([]),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: baton');
    for (const c of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(help.stdout).toContain('--store <path>');
    expect(help.stdout).toContain('--json');
    expect(ver.code).toBe(0);
    expect(ver.stdout.trim()).toBe(version);
    expect(subHelp.code).toBe(0);
    expect(subHelp.stdout).toContain('Usage: baton bisect [options] <run>');
    expect(subHelp.stdout).toContain('contains exists');
    // No command at all is bad usage: the usage goes to stderr.
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: baton');
  });
});

describe('runs', () => {
  it('lists every run newest first as an aligned table, and the same runs as JSON', async () => {
    const [table, out] = await Promise.all([
      baton([...S, 'runs']),
      baton([...S, 'runs', '--json']),
    ]);
    expect(table.code).toBe(0);
    const { runs } = json<{ runs: RunRecord[] }>(out);
    const [header, ...rows] = tableRows(table.stdout);
    expect(header).toEqual(['RUN', 'WORKFLOW', 'STATUS', 'HEAD', 'CREATED', 'UPDATED', 'ERROR']);
    expect(rows.map((r) => r[0])).toEqual(runs.map((r) => r.runId));
    expect(runs.map((r) => r.runId).sort()).toEqual([...db.runIds].sort());
    // Aligned: every row's status column starts where the header's does.
    const lines = table.stdout.split('\n');
    const at = lines[0]!.indexOf('STATUS');
    for (const l of lines.slice(1, -1)) expect(l.slice(at - 2, at)).toBe('  ');
    const completed = rows.find((r) => r[0] === db.completed.runId)!;
    expect(completed.slice(1, 4)).toEqual(['reference@1', 'completed', '6']);
    expect(completed[4]).toBe(
      new Date(runs.find((r) => r.runId === db.completed.runId)!.createdAt).toISOString(),
    );
    expect(
      rows
        .find((r) => r[0] === db.failed.runId)!
        .slice(1, 3)
        .concat(rows.find((r) => r[0] === db.failed.runId)!.at(-1)!),
    ).toEqual(['flaky@1', 'failed', 'AGENT_FAILED']);
    const created = runs.map((r) => r.createdAt);
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it('filters by --status, --workflow and --limit', async () => {
    const [comp, compJson, reviewed, limited] = await Promise.all([
      baton([...S, 'runs', '--status', 'compensation_failed']),
      baton([...S, 'runs', '--status', 'compensation_failed', '--json']),
      baton([...S, '--json', 'runs', '--workflow', 'reviewed']),
      baton([...S, 'runs', '--workflow', 'reviewed', '--limit', '2', '--json']),
    ]);
    const rows = tableRows(comp.stdout).slice(1);
    expect(rows.map((r) => [r[0], r[2]])).toEqual([
      [db.compensationFailed.runId, 'compensation_failed'],
    ]);
    expect(json<{ runs: RunRecord[] }>(compJson).runs.map((r) => r.runId)).toEqual([
      db.compensationFailed.runId,
    ]);
    const all = json<{ runs: RunRecord[] }>(reviewed).runs;
    expect(all.map((r) => r.runId).sort()).toEqual([...db.waiting].sort());
    expect(json<{ runs: RunRecord[] }>(limited).runs.map((r) => r.runId)).toEqual(
      all.slice(0, 2).map((r) => r.runId),
    );
  });
});

describe('show', () => {
  it('shows a completed run: status, output, and every step with its versions', async () => {
    const id = db.completed.runId;
    const [table, out] = await Promise.all([
      baton([...S, 'show', id]),
      baton([...S, 'show', id, '--json']),
    ]);
    expect(table.code).toBe(0);
    const expected = outcomeOf(
      ratingOf(scoreOf(db.app), verifiedOf(db.app), db.app.debt),
      db.app.flags >= 3,
    );
    expect(table.stdout).toMatch(/^status: +completed$/m);
    expect(table.stdout).toMatch(new RegExp(`^output: +\\{"outcome":"${expected}"\\}$`, 'm'));
    const view = json<{
      run: RunRecord;
      steps: { step: string; status: string; version: number; attempts: number }[];
    }>(out);
    expect(view.run.output).toEqual({ outcome: expected });
    expect(view.steps.map((s) => s.step).sort()).toEqual([
      'decision',
      'fraud',
      'income',
      'risk',
      'score',
    ]);
    for (const s of view.steps) {
      expect(s.status).toBe('succeeded');
      expect(s.attempts).toBe(1);
      // The version each step wrote is the one history says it wrote.
      expect(db.completed.steps[s.version - 1]).toBe(s.step);
      expect(table.stdout).toMatch(
        new RegExp(`^${s.step} +succeeded .* 1 +v\\d+ +v${s.version} +-$`, 'm'),
      );
    }
  });

  it('shows a failed run with its error, the failed step and the breaker that opened', async () => {
    const id = db.failed.runId;
    const [table, out] = await Promise.all([
      baton([...S, 'show', id]),
      baton([...S, 'show', id, '--json']),
    ]);
    expect(table.stdout).toMatch(/^error: +AGENT_FAILED \(step fraud\): fraud service down$/m);
    expect(table.stdout).toMatch(/^fraud +failed .* AGENT_FAILED$/m);
    expect(table.stdout).toContain('Breaker events');
    expect(table.stdout).toMatch(/fraud@1\.0\.0 +closed +open +1 consecutive failure/);
    const view = json<{
      steps: { step: string; status: string; errors: { message: string }[] }[];
      breakerEvents: BreakerTransition[];
    }>(out);
    const fraud = view.steps.find((s) => s.step === 'fraud')!;
    expect(fraud.status).toBe('failed');
    expect(fraud.errors.map((e) => e.message)).toEqual(['fraud service down']);
    expect(view.breakerEvents.map((b) => [b.breaker, b.from, b.to])).toEqual([
      ['fraud@1.0.0', 'closed', 'open'],
    ]);
  });

  it('shows compensations of a run that ended compensation_failed, and what a waiting run waits for', async () => {
    const [comp, compJson, wait] = await Promise.all([
      baton([...S, 'show', db.compensationFailed.runId]),
      baton([...S, 'show', db.compensationFailed.runId, '--json']),
      baton([...S, 'show', db.waiting[0]!]),
    ]);
    expect(comp.stdout).toMatch(/^status: +compensation_failed$/m);
    expect(comp.stdout).toContain('Compensations');
    const tries = db.compensationAttempts;
    expect(tries).toBeGreaterThanOrEqual(2);
    expect(comp.stdout).toMatch(
      new RegExp(
        `^reserve +failed .* ${tries} +AGENT_FAILED: warehouse API refused the release$`,
        'm',
      ),
    );
    const view = json<{
      compensations: { step: string; status: string; attempts: number; errors: unknown[] }[];
    }>(compJson);
    expect(view.compensations).toMatchObject([
      { step: 'reserve', status: 'failed', attempts: tries },
    ]);
    expect(view.compensations[0]!.errors).toHaveLength(tries);
    expect(wait.stdout).toMatch(/^status: +waiting$/m);
    expect(wait.stdout).toMatch(/^waiting for: +risk$/m);
    expect(wait.stdout).toMatch(/^risk +review .* AGENT_FAILED$/m);
  });
});

describe('history, diff, bisect', () => {
  it('lists every version with its writer, input version and hash prefix', async () => {
    const id = db.completed.runId;
    const [table, out, withData] = await Promise.all([
      baton([...S, 'history', id]),
      baton([...S, 'history', id, '--json']),
      baton([...S, 'history', id, '--json', '--data']),
    ]);
    const { versions } = json<{ versions: StateSnapshot[] }>(out);
    expect(versions.map((v) => v.step)).toEqual(db.completed.steps);
    expect(versions.every((v) => !('data' in v))).toBe(true);
    // --data adds each version's materialized state: one more slot per version.
    const full = json<{ versions: StateSnapshot[] }>(withData).versions;
    expect(full.map((v) => Object.keys(v.data).sort())).toEqual(
      db.completed.steps.map((_, i) => db.completed.steps.slice(0, i + 1).sort()),
    );
    expect(full[0]!.data).toEqual({ input: db.app });
    for (let i = 1; i < versions.length; i++)
      expect(versions[i]!.prevHash).toBe(versions[i - 1]!.hash);
    const [header, ...rows] = tableRows(table.stdout);
    expect(header).toEqual(['VERSION', 'STEP', 'CREATED BY', 'INPUT', 'TAG', 'HASH', 'TIME']);
    expect(rows).toEqual(
      versions.map((v) => [
        `v${v.version}`,
        v.step,
        v.createdBy,
        v.inputVersion === null ? '-' : `v${v.inputVersion}`,
        '-',
        v.hash.slice(0, 12),
        new Date(v.createdAt).toISOString(),
      ]),
    );
    expect(rows[0]!.slice(1, 3)).toEqual(['input', 'system']);
  });

  it('diffs two versions path by path, with old and new values', async () => {
    const id = db.completed.runId;
    const riskV = db.completed.steps.indexOf('risk') + 1;
    const [added, back] = await Promise.all([
      baton([...S, 'diff', id, String(riskV - 1), String(riskV)]),
      baton([...S, 'diff', id, String(riskV), '1', '--json']),
    ]);
    const rating = ratingOf(scoreOf(db.app), verifiedOf(db.app), db.app.debt);
    expect(tableRows(added.stdout)).toEqual([
      ['CHANGE', 'PATH', 'BEFORE', 'AFTER'],
      ['added', 'risk.rating', '-', JSON.stringify(rating)],
    ]);
    const diff = json<StateDiff>(back);
    expect([diff.from, diff.to]).toEqual([riskV, 1]);
    // Going back to v1 removes every slot written up to the risk version.
    expect(diff.changes.map((c) => [c.path, c.kind]).sort()).toEqual(
      db.completed.steps
        .slice(1, riskV)
        .map((s) => [s, 'removed'])
        .sort(),
    );
    expect(diff.changes.find((c) => c.path === 'risk')!.before).toEqual({ rating });
  });

  it('bisects to the first version where a parsed condition holds, with no eval', async () => {
    const id = db.completed.runId;
    const riskV = db.completed.steps.indexOf('risk') + 1;
    const scoreV = db.completed.steps.indexOf('score') + 1;
    const rating = ratingOf(scoreOf(db.app), verifiedOf(db.app), db.app.debt);
    const [exists, eq, ge, none, asJson] = await Promise.all([
      baton([...S, 'bisect', id, '--where', 'risk.rating', 'exists']),
      baton([...S, 'bisect', id, '--where', 'risk.rating', '==', rating]),
      baton([...S, 'bisect', id, '--where', 'score.score', '>=', '300']),
      baton([...S, 'bisect', id, '--where', 'decision.outcome', '==', '"nope"']),
      baton([...S, 'bisect', id, '--json', '--where', 'input.id', 'contains', 'app-']),
    ]);
    expect(exists.stdout).toMatch(new RegExp(`^first version: +v${riskV}$`, 'm'));
    expect(exists.stdout).toMatch(/^step: +risk$/m);
    expect(eq.stdout).toMatch(new RegExp(`^first version: +v${riskV}$`, 'm'));
    expect(eq.stdout).toMatch(new RegExp(`^value: +"${rating}"$`, 'm'));
    expect(ge.stdout).toMatch(new RegExp(`^first version: +v${scoreV}$`, 'm'));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no version of run ${id} where decision.outcome == "nope"`);
    const found = json<{
      found: boolean;
      version: number;
      where: unknown;
      snapshot: StateSnapshot;
    }>(asJson);
    expect(found).toMatchObject({
      found: true,
      version: 1,
      where: { path: 'input.id', op: 'contains', value: 'app-' },
    });
    expect(found.snapshot.data).toEqual({ input: db.app });
  });
});

describe('verify and breakers', () => {
  it('verifies an intact chain (exit 0), and names the version whose row was edited with raw SQL (exit 1)', async () => {
    const tampered = join(dir, 'tampered.db');
    copyFileSync(db.path, tampered);
    const raw = new Database(tampered);
    const riskV = db.completed.steps.indexOf('risk') + 1;
    const changed = raw
      .prepare('UPDATE versions SET payload = \'{"rating":"D"}\' WHERE run_id = ? AND version = ?')
      .run(db.completed.runId, riskV).changes;
    raw.close();
    expect(changed).toBe(1);
    const id = db.completed.runId;
    const [ok, okJson, broken, brokenJson] = await Promise.all([
      baton([...S, 'verify', id]),
      baton([...S, 'verify', id, '--json']),
      baton(['--store', tampered, 'verify', id]),
      baton(['--store', tampered, 'verify', id, '--json']),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`ok: run ${id}, 6 versions verify`);
    expect(json(okJson)).toMatchObject({ runId: id, ok: true, versions: 6 });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`chain broken at version ${riskV}`);
    expect(brokenJson.code).toBe(1);
    expect(JSON.parse(brokenJson.stdout)).toMatchObject({ runId: id, ok: false, brokenAt: riskV });
  });

  it('lists the latest recorded state of every breaker, with time and reason', async () => {
    const [table, out] = await Promise.all([
      baton([...S, 'breakers']),
      baton([...S, 'breakers', '--json']),
    ]);
    const { breakers } = json<{
      breakers: { name: string; state: string; since: number; reason: string }[];
    }>(out);
    expect(breakers.map((b) => [b.name, b.state])).toEqual([['fraud@1.0.0', 'open']]);
    expect(breakers[0]!.reason).toContain('fraud service down');
    expect(tableRows(table.stdout)).toEqual([
      ['BREAKER', 'STATE', 'SINCE', 'FROM', 'TRANSITIONS', 'REASON'],
      [
        'fraud@1.0.0',
        'open',
        new Date(breakers[0]!.since).toISOString(),
        'closed',
        '1',
        breakers[0]!.reason,
      ],
    ]);
  });
});

describe('refusals', () => {
  it('exits 2 with the usage and the offending argument for every kind of bad argument', async () => {
    const id = db.completed.runId;
    const cases: [string[], string, string][] = [
      [['runs', '--bogus'], "unknown option '--bogus'", 'Usage: baton runs'],
      [['diff', id, '1'], "missing required argument 'b'", 'Usage: baton diff'],
      [['diff', id, '1', 'two'], "value 'two' is invalid for argument 'b'", 'Usage: baton diff'],
      [['diff', id, '0', '2'], "value '0' is invalid for argument 'a'", 'Usage: baton diff'],
      [
        ['replay', id, '--from', '1.5'],
        "option '--from <version>' argument '1.5' is invalid",
        'Usage: baton replay',
      ],
      [['replay', id], "required option '--from <version>' not specified", 'Usage: baton replay'],
      [
        ['bisect', id, '--where', 'risk.rating', '~=', 'B'],
        "unknown operator '~='",
        'Usage: baton bisect',
      ],
      [
        ['bisect', id, '--where', 'risk..rating', '==', 'B'],
        "malformed path 'risk..rating'",
        'Usage: baton bisect',
      ],
      [
        ['signal', id, 'risk', '{"rating":'],
        "value '{\"rating\":' is invalid for argument 'payload'",
        'Usage: baton signal',
      ],
      [
        ['runs', '--status', 'done'],
        "option '--status <status>' argument 'done' is invalid",
        'Usage: baton runs',
      ],
      [
        ['runs', '--limit', '0'],
        "option '--limit <n>' argument '0' is invalid",
        'Usage: baton runs',
      ],
      [['explode'], "unknown command 'explode'", 'Usage: baton'],
    ];
    const results = await Promise.all(cases.map(([args]) => baton([...S, ...args])));
    results.forEach((r, i) => {
      const [args, offending, usage] = cases[i]!;
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(offending);
      expect(r.stderr).toContain(usage);
      expect(r.stdout).toBe('');
    });
  });

  it('exits 1 naming an unknown run, for every command that takes one', async () => {
    const cmds = [
      ['show', 'nope'],
      ['history', 'nope'],
      ['diff', 'nope', '1', '2'],
      ['verify', 'nope'],
      ['bisect', 'nope', '--where', 'a', 'exists'],
      ['cancel', 'nope'],
    ];
    const results = await Promise.all(cmds.map((c) => baton([...S, ...c])));
    for (const r of results) {
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe("error: run 'nope' not found");
    }
  });

  it('refuses stores it cannot use without creating or changing any file (exit 1)', async () => {
    const cwd = mkdtempSync(join(dir, 'empty-'));
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database, just text');
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const future = join(dir, 'future.db');
    copyFileSync(db.path, future);
    const raw = new Database(future);
    raw
      .prepare("INSERT INTO baton_migrations (id, name, applied_at) VALUES (999, 'future', 0)")
      .run();
    raw.close();
    const [missing, notStore, emptyFile, tooNew, pg] = await Promise.all([
      baton(['runs'], { cwd }),
      baton(['--store', junk, 'runs']),
      baton(['--store', empty, 'runs']),
      baton(['--store', future, 'show', db.completed.runId]),
      baton(['--store', 'postgres://baton:secret@127.0.0.1:1/baton', 'runs']),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("store './baton.db' not found");
    expect(readdirSync(cwd)).toEqual([]);
    expect(notStore.code).toBe(1);
    expect(notStore.stderr).toContain('is not a Baton store');
    expect(readFileSync(junk, 'utf8')).toBe('not a database, just text');
    expect(emptyFile.code).toBe(1);
    expect(emptyFile.stderr).toContain('is not a Baton store: it is an empty file');
    expect(readFileSync(empty, 'utf8')).toBe('');
    expect(tooNew.code).toBe(1);
    expect(tooNew.stderr).toMatch(/schema version 999, newer than this code's \d+; upgrade baton/);
    expect(pg.code).toBe(1);
    // A server that cannot be reached is named, its password never printed.
    expect(pg.stderr).toContain('127.0.0.1');
    expect(pg.stderr).not.toContain('secret');
  });
});
