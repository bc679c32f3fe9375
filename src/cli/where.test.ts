import { describe, expect, it } from 'vitest';
import { isInvalidArgumentError } from '../index.js';
import {
  describeWhere,
  jsonEquals,
  matchWhere,
  parsePath,
  parseValue,
  parseWhere,
} from './where.js';

function rejects(words: string[]): { message: string; argument: string } {
  try {
    parseWhere(words);
  } catch (e) {
    if (!isInvalidArgumentError(e)) throw e;
    return { message: e.message, argument: e.argument };
  }
  throw new Error(`parseWhere accepted ${JSON.stringify(words)}`);
}

describe('--where parsing', () => {
  it('splits dotted paths with array indexes', () => {
    expect(parsePath('risk.rating')).toEqual(['risk', 'rating']);
    expect(parsePath('items[2].price')).toEqual(['items', 2, 'price']);
    expect(parsePath('m[0][1]')).toEqual(['m', 0, 1]);
  });

  it('reads the value as JSON when it parses, else as a string', () => {
    expect(parseValue('3')).toBe(3);
    expect(parseValue('true')).toBe(true);
    expect(parseValue('"B"')).toBe('B');
    expect(parseValue('B')).toBe('B');
    expect(parseValue('{"a":1}')).toEqual({ a: 1 });
    expect(parseValue('null')).toBeNull();
  });

  it('names the offending word of every malformed clause', () => {
    expect(rejects(['risk.rating', '~=', 'B'])).toMatchObject({ argument: '~=' });
    expect(rejects(['risk..rating', '==', 'B'])).toMatchObject({ argument: 'risk..rating' });
    expect(rejects(['a[x]', '==', '1'])).toMatchObject({ argument: 'a[x]' });
    expect(rejects(['a', '=='])).toMatchObject({ message: "operator '==' needs a value" });
    expect(rejects(['a', 'exists', 'yes'])).toMatchObject({ argument: 'yes' });
    expect(rejects(['a', '<', 'true'])).toMatchObject({ argument: 'true' });
    expect(rejects(['a', '==', '1', '2'])).toMatchObject({ argument: '1 2' });
    expect(rejects(['a'])).toMatchObject({ argument: 'a' });
  });
});

describe('--where evaluation', () => {
  const data = {
    score: { score: 742 },
    risk: { rating: 'B' },
    tags: ['vip', { k: 1 }],
    name: 'app-17',
  };
  const holds = (...words: string[]) => matchWhere(parseWhere(words), data);

  it('compares with every operator, like with like', () => {
    expect(holds('risk.rating', '==', 'B')).toBe(true);
    expect(holds('risk.rating', '==', '"B"')).toBe(true);
    expect(holds('risk.rating', '!=', 'A')).toBe(true);
    expect(holds('risk.rating', '!=', 'B')).toBe(false);
    expect(holds('score.score', '>', '700')).toBe(true);
    expect(holds('score.score', '>=', '742')).toBe(true);
    expect(holds('score.score', '<', '742')).toBe(false);
    expect(holds('score.score', '<=', '742')).toBe(true);
    // A number is never ordered against a string.
    expect(holds('score.score', '<', '"zzz"')).toBe(false);
    expect(holds('name', 'contains', 'app-')).toBe(true);
    expect(holds('tags', 'contains', 'vip')).toBe(true);
    expect(holds('tags', 'contains', '{"k":1}')).toBe(true);
    expect(holds('tags[1].k', '==', '1')).toBe(true);
    expect(holds('score', '==', '{"score":742}')).toBe(true);
  });

  it('treats a missing path as having no value, which no comparison matches', () => {
    expect(holds('decision.outcome', 'exists')).toBe(false);
    expect(holds('risk.rating', 'exists')).toBe(true);
    expect(holds('decision.outcome', '!=', 'approve')).toBe(false);
    expect(holds('decision.outcome', '==', 'null')).toBe(false);
    expect(holds('risk.rating.deeper', '==', 'B')).toBe(false);
    expect(holds('tags.0', '==', 'vip')).toBe(false);
  });

  it('compares JSON structurally, whatever the key order', () => {
    expect(jsonEquals({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEquals([1, 2], [2, 1])).toBe(false);
    expect(jsonEquals([], {})).toBe(false);
  });

  it('describes a clause on one line', () => {
    expect(describeWhere(parseWhere(['risk.rating', '==', 'B']))).toBe('risk.rating == "B"');
    expect(describeWhere(parseWhere(['a', 'exists']))).toBe('a exists');
  });
});
