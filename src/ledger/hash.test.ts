import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, type HashedFields, hashVersion, sha256 } from './hash.js';

const base: HashedFields = {
  runId: 'run-1',
  version: 2,
  step: 'score',
  kind: 'slot',
  createdBy: 'credit-score@1.0.0',
  inputVersion: 1,
  contract: 'credit.score@1',
  tag: null,
  createdAt: 1_700_000_000_000,
  payload: '{"score":742}',
  prevHash: GENESIS_HASH,
};

describe('hash chain primitives', () => {
  it('computes standard sha256 hex digests', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
  });

  it('hashes the same fields to the same value every time', () => {
    expect(hashVersion({ ...base })).toBe(hashVersion(base));
    expect(hashVersion(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when any covered field changes', () => {
    const changes: Partial<HashedFields>[] = [
      { runId: 'run-2' },
      { version: 3 },
      { step: 'risk' },
      { kind: 'reset' },
      { createdBy: 'credit-score@1.0.1' },
      { inputVersion: null },
      { contract: null },
      { tag: 'cached' },
      { createdAt: base.createdAt + 1 },
      { payload: '{"score":743}' },
      { prevHash: sha256('other') },
    ];
    const hashes = changes.map((c) => hashVersion({ ...base, ...c }));
    expect(new Set([hashVersion(base), ...hashes]).size).toBe(changes.length + 1);
  });

  it('keeps field boundaries unambiguous', () => {
    const a = hashVersion({ ...base, step: 'a', createdBy: 'b,c' });
    const b = hashVersion({ ...base, step: 'a,b', createdBy: 'c' });
    const c = hashVersion({ ...base, step: 'a"', createdBy: '"b' });
    expect(new Set([a, b, c]).size).toBe(3);
    const d = hashVersion({ ...base, contract: null, tag: 'x' });
    const e = hashVersion({ ...base, contract: 'x', tag: null });
    expect(d).not.toBe(e);
  });
});
