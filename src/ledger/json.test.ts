import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNonJsonValueError, type NonJsonValueError } from '../errors.js';
import { sha256 } from './hash.js';
import { canonicalJson, decodeJson, deepFreeze, type Json, sealJson } from './json.js';

/** fast-check's JSON values, typed as Baton's Json (its type is wider only nominally). */
const jsonValue = fc.jsonValue() as fc.Arbitrary<Json>;

/** JSON keeps no -0 (it encodes as 0): the value a JSON round trip is expected to give back. */
const jsonRoundTrip = (x: Json): Json => JSON.parse(JSON.stringify(x)) as Json;

/** Rebuilds every object of `x` with its keys inserted in a different order. */
function reorderKeys(x: Json, rotate: number): Json {
  if (Array.isArray(x)) return x.map((item: Json) => reorderKeys(item, rotate));
  if (x === null || typeof x !== 'object') return x;
  const keys = Object.keys(x).reverse();
  const shift = keys.length === 0 ? 0 : rotate % keys.length;
  const order = [...keys.slice(shift), ...keys.slice(0, shift)];
  const out: Record<string, Json> = {};
  for (const k of order) {
    Object.defineProperty(out, k, {
      value: reorderKeys((x as Record<string, Json>)[k]!, rotate),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Every object and array reachable from `x`. */
function containers(x: unknown, out: object[] = []): object[] {
  if (typeof x === 'object' && x !== null) {
    out.push(x);
    for (const v of Object.values(x)) containers(v, out);
  }
  return out;
}

describe('canonical JSON encoding (property-based)', () => {
  it('round-trips any JSON value: decode(encode(x)) deep-equals x', () => {
    fc.assert(
      fc.property(jsonValue, (x) => {
        expect(decodeJson(canonicalJson(x))).toStrictEqual(jsonRoundTrip(x));
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on key insertion order, so equal data hashes the same', () => {
    fc.assert(
      fc.property(jsonValue, fc.nat(50), (x, rotate) => {
        const shuffled = reorderKeys(x, rotate);
        expect(canonicalJson(shuffled)).toBe(canonicalJson(x));
        expect(sha256(canonicalJson(shuffled))).toBe(sha256(canonicalJson(x)));
      }),
      { numRuns: 300 },
    );
  });

  it('writes object keys in sorted order at every depth', () => {
    // A deliberately naive reference encoder (JSON.parse cannot serve as the oracle: JS objects
    // list integer-like keys first whatever the text says).
    const reference = (x: Json): string => {
      if (Array.isArray(x)) return `[${x.map(reference).join(',')}]`;
      if (x === null || typeof x !== 'object') return JSON.stringify(x);
      const keys = Object.keys(x).sort();
      const rec = x as Record<string, Json>;
      return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(rec[k]!)}`).join(',')}}`;
    };
    fc.assert(
      fc.property(jsonValue, (x) => {
        expect(canonicalJson(x)).toBe(reference(x));
      }),
      { numRuns: 200 },
    );
  });

  it('gives equal encodings and hashes exactly to equal data', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (a, b) => {
        // isDeepStrictEqual ignores key order, as equality of JSON data should.
        const same = isDeepStrictEqual(jsonRoundTrip(a), jsonRoundTrip(b));
        expect(canonicalJson(a) === canonicalJson(b)).toBe(same);
        expect(sha256(canonicalJson(a)) === sha256(canonicalJson(b))).toBe(same);
      }),
      { numRuns: 300 },
    );
  });
});

describe('deep freeze (property-based)', () => {
  it('freezes every nested object and array: any write throws in strict mode', () => {
    fc.assert(
      fc.property(jsonValue, (x) => {
        const sealed = sealJson(structuredClone(x)).value;
        for (const c of containers(sealed)) {
          expect(Object.isFrozen(c)).toBe(true);
          expect(() => {
            (c as Record<string, unknown>).added = 1;
          }).toThrow(TypeError);
          if (Array.isArray(c)) expect(() => c.push(1)).toThrow(TypeError);
          for (const key of Object.keys(c)) {
            expect(() => {
              (c as Record<string, unknown>)[key] = 'changed';
            }).toThrow(TypeError);
            expect(() => delete (c as Record<string, unknown>)[key]).toThrow(TypeError);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('returns the same value it froze, and decodeJson returns frozen data too', () => {
    const value = { a: [1, { b: 2 }] };
    expect(deepFreeze(value)).toBe(value);
    const decoded = decodeJson<{ a: [number, { b: number }] }>('{"a":[1,{"b":2}]}');
    expect(Object.isFrozen(decoded.a[1])).toBe(true);
  });
});

/** A path segment: an object key or an array index. */
type Segment = string | number;

/** Nests `leaf` under `segments` ({ a: [null, { b: leaf }] }) and names that path. */
function nest(segments: readonly Segment[], leaf: unknown): { value: unknown; path: string } {
  let value = leaf;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    if (typeof s === 'number') {
      const arr: unknown[] = Array.from({ length: s + 1 }, () => null);
      arr[s] = value;
      value = arr;
    } else {
      // 'Other' cannot collide with a generated key (those are lower case).
      value = { [s]: value, Other: 1 };
    }
  }
  const path = segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
  return { value, path: `$${path}` };
}

class Money {
  constructor(readonly cents: number) {}
}

/** Non-JSON leaves, each with the path suffix where the error is reported. */
const BAD_LEAVES: readonly [string, () => unknown, string][] = [
  ['a function', () => () => 1, ''],
  ['a class instance', () => new Money(5), ''],
  ['a Date', () => new Date(0), ''],
  ['a Map', () => new Map(), ''],
  ['NaN', () => Number.NaN, ''],
  ['Infinity', () => Number.POSITIVE_INFINITY, ''],
  ['-Infinity', () => Number.NEGATIVE_INFINITY, ''],
  ['a BigInt', () => 10n, ''],
  ['a symbol value', () => Symbol('s'), ''],
  ['a symbol key', () => ({ ok: 1, [Symbol('k')]: 2 }), ''],
  ['undefined inside an array', () => [1, undefined], '[1]'],
  [
    'a cycle',
    () => {
      const o: Record<string, unknown> = { x: 1 };
      o.self = o;
      return o;
    },
    '.self',
  ],
];

const segment = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), fc.nat(3));

describe('non-JSON values are rejected with the path that holds them', () => {
  for (const [label, make, suffix] of BAD_LEAVES) {
    it(`rejects ${label} at any depth, naming its path`, () => {
      fc.assert(
        fc.property(fc.array(segment, { maxLength: 5 }), (segments) => {
          const { value, path } = nest(segments, make());
          let caught: unknown;
          try {
            sealJson(value);
          } catch (e) {
            caught = e;
          }
          expect(isNonJsonValueError(caught)).toBe(true);
          expect((caught as NonJsonValueError).path).toBe(`${path}${suffix}`);
          expect((caught as Error).message).toContain(`${path}${suffix}`);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('rejects undefined at the root but omits undefined object properties, as JSON does', () => {
    expect(() => canonicalJson(undefined)).toThrow(/\$/);
    expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
  });

  it('accepts the same object twice when it is shared, not cyclic', () => {
    const shared = { v: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"v":1},"b":[{"v":1}]}');
  });
});
