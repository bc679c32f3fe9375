import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, sqliteStore } from '../../src/index.js';
import { baton, ensureBuilt, json, ROOT } from '../cli/helpers.js';
import { tempDbPath } from '../support/temp-db.js';
import { loan } from './fixtures/loan.js';

const db = tempDbPath('cli-catalog');
const fixture = (name: string) => join(ROOT, 'test', 'governance', 'fixtures', name);

beforeAll(async () => {
  await ensureBuilt();
  const rt = createRuntime({ store: sqliteStore(db.path), workflows: [loan], resume: false });
  await rt.ready();
  await rt.close();
});
afterAll(() => db.remove());

describe('baton catalog', () => {
  it('lists every registered version with its mode and PII fields', async () => {
    const r = await baton(['--store', db.path, '--json', 'catalog', 'list']);
    expect(r.code, r.stderr).toBe(0);
    const { entries } = json<{
      entries: { contractId: string; mode: string; piiPaths: string[] }[];
    }>(r);
    expect(entries.map((e) => e.contractId)).toEqual([
      'loan.application@1',
      'loan.review@1',
      'loan.score@1',
    ]);
    expect(entries[0]).toMatchObject({
      mode: 'BACKWARD_TRANSITIVE',
      piiPaths: ['/applicant/name', '/applicant/ssn'],
    });
    const text = await baton(['--store', db.path, 'catalog', 'list']);
    expect(text.stdout).toMatch(/loan\.score@1\s+contract\s+BACKWARD_TRANSITIVE\s+yes/);
  });

  it('shows one version with its JSON Schema, and fails on an unknown id', async () => {
    const r = await baton(['--store', db.path, 'catalog', 'show', 'loan.score@1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('"maximum": 850');
    const missing = await baton(['--store', db.path, 'catalog', 'show', 'loan.nothing@1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("contract 'loan.nothing@1' not found");
  });

  it('check passes a compatible module and writes nothing', async () => {
    const r = await baton(['--store', db.path, 'catalog', 'check', fixture('score-v2-ok.ts')], {
      tsx: true,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok loan.score@2 (new, BACKWARD_TRANSITIVE)');
    const list = json<{ entries: unknown[] }>(
      await baton(['--store', db.path, '--json', 'catalog', 'list']),
    );
    expect(list.entries).toHaveLength(3);
  });

  it('check exits 1 naming each breaking change of an incompatible module', async () => {
    const r = await baton(['--store', db.path, 'catalog', 'check', fixture('score-v2-bad.ts')], {
      tsx: true,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('BREAKS loan.score@2 (incompatible, BACKWARD_TRANSITIVE)');
    expect(r.stdout).toContain('TYPE_CHANGED at #/properties/score vs @1 (backward)');
    expect(r.stdout).toContain('ok loan.other@1 (new, BACKWARD_TRANSITIVE)');
  });

  it('check refuses a module that exports no definitions (exit 1)', async () => {
    const r = await baton(['--store', db.path, 'catalog', 'check', join(ROOT, 'package.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error:');
  });
});
