import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNonJsonValueError, isPayloadTooLargeError } from '../errors.js';
import { GENESIS_HASH, hashVersion } from './hash.js';
import type { Json } from './json.js';
import type { VersionRecord } from './types.js';
import { applyVersion, buildVersion, materialize, toSnapshot, verifyChain } from './versions.js';

/** fast-check's JSON values, typed as Baton's Json (its type is wider only nominally). */
const jsonValue = fc.jsonValue() as fc.Arbitrary<Json>;

const draft = (version: number, step: string, prevHash: string) => ({
  runId: 'run-1',
  version,
  step,
  createdBy: version === 1 ? 'system' : 'agent@1.0.0',
  inputVersion: version === 1 ? null : version - 1,
  contract: null,
  createdAt: 1_000 + version,
  prevHash,
});

/** Builds a chain from (step, value) pairs; v1 is the input. */
function chain(slots: readonly [string, Json][]): VersionRecord[] {
  const out: VersionRecord[] = [];
  let prev = GENESIS_HASH;
  for (const [i, [step, value]] of slots.entries()) {
    const v = buildVersion(draft(i + 1, step, prev), value);
    out.push(v);
    prev = v.hash;
  }
  return out;
}

describe('buildVersion', () => {
  it('seals the value, stores its canonical encoding and hashes the fields', () => {
    const value = { z: 1, a: [true, null] };
    const v = buildVersion(draft(1, 'input', GENESIS_HASH), value);
    expect(v.payload).toBe('{"a":[true,null],"z":1}');
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(v)).toBe(true);
    expect(v).toMatchObject({ kind: 'slot', tag: null, traceId: null, prevHash: GENESIS_HASH });
    expect(v.hash).toBe(hashVersion(v));
  });

  it('rejects non-JSON output with a path under the slot', () => {
    let caught: unknown;
    try {
      buildVersion(draft(2, 'score', GENESIS_HASH), { ok: 1, bad: [Number.NaN] });
    } catch (e) {
      caught = e;
    }
    expect(isNonJsonValueError(caught)).toBe(true);
    expect(caught).toMatchObject({ path: '$.score.bad[0]' });
  });

  it('rejects an oversized slot with a non-retryable PayloadTooLargeError in UTF-8 bytes', () => {
    const fits = 'é'.repeat(48); // 96 bytes + 2 quotes = 98
    expect(buildVersion(draft(2, 's', GENESIS_HASH), fits, 98).payload).toBe(`"${fits}"`);
    let caught: unknown;
    try {
      buildVersion(draft(2, 's', GENESIS_HASH), `${fits}é`, 98);
    } catch (e) {
      caught = e;
    }
    expect(isPayloadTooLargeError(caught)).toBe(true);
    expect(caught).toMatchObject({ slot: 's', bytes: 100, maxBytes: 98, retryable: false });
  });
});

describe('verifyChain', () => {
  const good = chain([
    ['input', { amount: 100 }],
    ['score', 700],
    ['income', { ok: true }],
    ['risk', 'B'],
    ['decision', 'approve'],
  ]);

  it('accepts an intact chain and reports its head hash', () => {
    expect(verifyChain(good, 5)).toEqual({ ok: true, versions: 5, headHash: good[4]!.hash });
    expect(verifyChain([])).toMatchObject({ ok: true, versions: 0, headHash: GENESIS_HASH });
  });

  it('reports an edited version at that version', () => {
    const edited = good.map((v) => (v.version === 3 ? { ...v, payload: '{"ok":false}' } : v));
    expect(verifyChain(edited)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('reports a removed version, a reordered pair and a removed tail', () => {
    expect(verifyChain(good.filter((v) => v.version !== 2))).toMatchObject({ brokenAt: 2 });
    const swapped = [good[0]!, good[2]!, good[1]!, good[3]!, good[4]!];
    expect(verifyChain(swapped)).toMatchObject({ ok: false, brokenAt: 2 });
    expect(verifyChain(good.slice(0, 4), 5)).toMatchObject({ ok: false, brokenAt: 5 });
  });

  it('catches any single edited payload in any chain (property-based)', () => {
    const slot = fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), jsonValue);
    fc.assert(
      fc.property(fc.array(slot, { minLength: 1, maxLength: 8 }), fc.nat(), (slots, pick) => {
        const versions = chain(slots);
        expect(verifyChain(versions, versions.length).ok).toBe(true);
        const at = pick % versions.length;
        const tampered = versions.map((v, i) =>
          i === at ? { ...v, payload: `${v.payload} ` } : v,
        );
        expect(verifyChain(tampered)).toMatchObject({ ok: false, brokenAt: at + 1 });
      }),
      { numRuns: 100 },
    );
  });
});

describe('materialize', () => {
  it('folds slots into one state, sharing untouched slots, and applies resets', () => {
    const versions = chain([
      ['input', { amount: 100 }],
      ['score', 700],
      ['score', 710],
    ]);
    const s3 = materialize(versions);
    expect(s3).toEqual({ input: { amount: 100 }, score: 710 });
    expect(Object.isFrozen(s3)).toBe(true);
    const s1 = materialize(versions.slice(0, 1));
    expect(applyVersion(s1, versions[1]!).input).toBe(s1.input);

    const reset = buildVersion(
      { ...draft(4, '$rollback', versions[2]!.hash), kind: 'reset', tag: 'rollback:1' },
      { input: { amount: 100 } },
    );
    expect(materialize([...versions, reset])).toEqual({ input: { amount: 100 } });
    expect(toSnapshot(reset, materialize([...versions, reset]))).toMatchObject({
      version: 4,
      tag: 'rollback:1',
      data: { input: { amount: 100 } },
    });
  });

  it('equals a plain fold of the slots for any sequence of writes (property-based)', () => {
    const slot = fc.tuple(fc.constantFrom('input', 'a', 'b', 'c'), jsonValue);
    fc.assert(
      fc.property(fc.array(slot, { minLength: 1, maxLength: 10 }), (slots) => {
        const expected: Record<string, Json> = {};
        for (const [step, value] of slots) expected[step] = JSON.parse(JSON.stringify(value));
        expect(materialize(chain(slots))).toStrictEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
