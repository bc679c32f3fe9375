/**
 * Row 7 (CLI side), end to end with the built binary: the read commands open the store
 * read-only, so they never change a store file, never turn an empty file into a store, and
 * never migrate an older store; `baton migrate` is the command that does.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, sqliteStore, workflow } from '../../src/index.js';
import { MIGRATIONS, MIGRATIONS_TABLE, MIGRATIONS_TABLE_DDL } from '../../src/ledger/migrations.js';
import { Num, numAgent } from '../robustness/fixtures.js';
import { tempDbPath } from '../support/temp-db.js';
import { baton, ensureBuilt } from './helpers.js';

const removals: (() => Promise<void>)[] = [];
beforeAll(ensureBuilt);
afterAll(async () => {
  for (const r of removals) await r();
});

function newPath(label: string): string {
  const db = tempDbPath(label);
  removals.push(db.remove);
  return db.path;
}

function fingerprint(path: string): { sha: string; mtimeMs: number } {
  return {
    sha: createHash('sha256').update(readFileSync(path)).digest('hex'),
    mtimeMs: statSync(path).mtimeMs,
  };
}

describe('read commands never write', () => {
  it('leave a store file byte for byte and mtime as it was', async () => {
    const path = newPath('cli-ro');
    const wf = workflow('cli-ro', { version: 1, input: Num })
      .step('a', numAgent('a').agent, { input: (s) => s.input })
      .output((s) => s.a);
    const rt = createRuntime({ store: sqliteStore(path), workflows: [wf] });
    const run = await rt.start(wf, 1);
    await run.result();
    await rt.close();
    const before = fingerprint(path);
    const S = ['--store', path];
    const commands = [
      ['runs'],
      ['show', run.id],
      ['history', run.id],
      ['diff', run.id, '1', '2'],
      ['trace', run.id],
      ['verify', run.id],
      ['blame', run.id, 'a'],
      ['lineage', run.id, 'a'],
      ['bisect', run.id, '--where', 'a', 'exists'],
      ['breakers'],
      ['usage'],
      ['events', '--dead'],
      ['schedules', 'list'],
      ['catalog', 'list'],
      ['audit', 'list'],
      ['audit', 'verify'],
      ['grants'],
      ['prune', '--older-than', '0', '--dry-run'],
    ];
    for (const c of commands) {
      const r = await baton([...S, ...c]);
      expect(r.code, `${c.join(' ')}: ${r.stderr}`).toBe(0);
    }
    // A dry-run erase reads too (this store has no data subject to find).
    const erase = await baton([...S, 'erase', 'nobody', '--dry-run']);
    expect(erase.stderr).toMatch(/subject 'nobody' not found/);
    // --schema names a PostgreSQL schema: refused, typed, for a SQLite file.
    const schema = await baton([...S, '--schema', 'other', 'runs']);
    expect(schema.code).toBe(1);
    expect(schema.stderr).toMatch(/--schema applies to a postgres:\/\/ store only/);
    expect(fingerprint(path)).toEqual(before);
  });

  it('refuse an empty file as not a Baton store, leaving it 0 bytes with no side files', async () => {
    const path = newPath('cli-ro-empty');
    writeFileSync(path, '');
    for (const c of [['runs'], ['catalog', 'list'], ['--as', 'alice', 'runs'], ['migrate']]) {
      const r = await baton(['--store', path, ...c]);
      expect(r.code, c.join(' ')).toBe(1);
      expect(r.stderr).toContain('is not a Baton store');
    }
    expect(statSync(path).size).toBe(0);
    expect(readdirSync(dirname(path))).toEqual(['baton.db']);
  });

  it('refuse an older store, naming baton migrate; baton migrate upgrades it', async () => {
    const path = newPath('cli-ro-old');
    const previous = MIGRATIONS[MIGRATIONS.length - 2]!.id;
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!.id;
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec(MIGRATIONS_TABLE_DDL.sqlite);
    for (const m of MIGRATIONS.filter((x) => x.id <= previous)) {
      for (const sql of m.sqlite) db.exec(sql);
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (id, name, applied_at) VALUES (?, ?, ?)`).run(
        m.id,
        m.name,
        1,
      );
    }
    db.close();
    const before = fingerprint(path);
    const refused = await baton(['--store', path, 'runs']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`schema version ${previous}, older than this code's`);
    expect(refused.stderr).toContain('baton migrate');
    expect(fingerprint(path)).toEqual(before);
    const json = await baton(['--store', path, '--json', 'runs']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'STORE_SCHEMA_OUTDATED' } });
    const migrated = await baton(['--store', path, 'migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toBe(`migrated from schema version ${previous} to ${latest}\n`);
    const again = await baton(['--store', path, '--json', 'migrate']);
    expect(JSON.parse(again.stdout)).toEqual({ from: latest, to: latest });
    const runs = await baton(['--store', path, 'runs']);
    expect(runs.code, runs.stderr).toBe(0);
  });
});
