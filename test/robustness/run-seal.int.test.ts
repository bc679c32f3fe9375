/**
 * Row 6 on SQLite: the run's end is sealed into the journal and `verify` / `baton verify` check
 * the run row against it. The attacker edits the file with better-sqlite3 directly.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createRuntime, memoryStore, sqliteStore, workflow } from '../../src/index.js';
import { verifyRun } from '../../src/ledger/run-seal.js';
import { tempDbPath } from '../support/temp-db.js';
import { Num, numAgent } from './fixtures.js';
import { type RawSql, runSealCases } from './run-seal-cases.js';

let db: ReturnType<typeof tempDbPath>;

const raw: RawSql = async (sql, params) => {
  const file = new Database(db.path);
  try {
    const stmt = file.prepare(sql);
    if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
    stmt.run(...params);
    return [];
  } finally {
    file.close();
  }
};

describe('run end seals on SQLite', () => {
  runSealCases({
    store: () => sqliteStore(db.path),
    raw,
    setup: async () => {
      db = tempDbPath('seal');
    },
    teardown: () => db.remove(),
  });

  it('baton verify exits 1 on an edited output and prints why', async () => {
    db = tempDbPath('seal-cli');
    try {
      const a = numAgent('a');
      const wf = workflow('seal-cli', { version: 1, input: Num })
        .step('a', a.agent, { input: (s) => s.input })
        .output((s) => s.a);
      const rt = createRuntime({ store: sqliteStore(db.path), workflows: [wf] });
      const run = await rt.start(wf, 1, { runId: 'r1' });
      await run.result();
      await rt.close();
      const lines = async (): Promise<[number, string]> => {
        const out: string[] = [];
        const io = { out: (s: string) => void out.push(s), err: () => {}, color: false };
        return [await runCli(['--store', db.path, 'verify', 'r1'], io), out.join('')];
      };
      expect(await lines()).toEqual([
        0,
        expect.stringContaining('status and output match its end seal'),
      ]);
      await raw('UPDATE runs SET output = ? WHERE run_id = ?', ['999', 'r1']);
      const [code, text] = await lines();
      expect(code).toBe(1);
      expect(text).toContain('BROKEN: run r1');
      expect(text).toContain('output edited');
    } finally {
      await db.remove();
    }
  });
});

describe('run end seals on the memory store', () => {
  it('the verifier catches the same edits on the records a memory store holds', async () => {
    const store = memoryStore();
    const a = numAgent('a');
    const wf = workflow('seal-mem', { version: 1, input: Num })
      .step('a', a.agent, { input: (s) => s.input })
      .output((s) => s.a);
    const rt = createRuntime({ store, workflows: [wf] });
    try {
      const run = await rt.start(wf, 1);
      await run.result();
      expect(await rt.verify(run.id)).toMatchObject({ ok: true, versions: 2, end: 'sealed' });
      const rec = await rt.getRun(run.id);
      const versions = await store.readVersions(run.id);
      const journal = await rt.journal(run.id);
      // The memory store's records are frozen: the tampered copies are handed to the verifier.
      expect(verifyRun({ ...rec, output: 99 }, versions, journal)).toMatchObject({ ok: false });
      expect(verifyRun({ ...rec, headVersion: 1 }, versions.slice(0, 1), journal)).toMatchObject({
        ok: false,
        brokenAt: 2,
      });
      expect(verifyRun({ ...rec, status: 'failed' }, versions, journal)).toMatchObject({
        ok: false,
      });
    } finally {
      await rt.close();
    }
  });
});
