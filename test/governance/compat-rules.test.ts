import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkCompatibility,
  isInvalidArgumentError,
  type JsonSchema,
  type JsonSchemaObject,
} from '../../src/index.js';

const obj = (
  properties: Record<string, JsonSchema>,
  extra: JsonSchemaObject = {},
): JsonSchemaObject => ({ type: 'object', properties, ...extra });
const closed = (p: Record<string, JsonSchema>, extra: JsonSchemaObject = {}) =>
  obj(p, { additionalProperties: false, ...extra });
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;

/** One direction (BACKWARD): can a reader on `next` read what `prev` wrote? */
interface Rule {
  readonly name: string;
  readonly prev: JsonSchema;
  readonly next: JsonSchema;
  /** The breaking change expected (and its path), or null when compatible. */
  readonly breaks: null | { change: string; path: string };
}

const RULES: Rule[] = [
  // Content models (the registry's ObjectSchemaDiff rules).
  {
    name: 'open model: adding a typed property breaks (old data may hold that name with any value)',
    prev: obj({ a: str }),
    next: obj({ a: str, b: num }),
    breaks: { change: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', path: '#/properties/b' },
  },
  {
    name: 'open model: adding a property with the empty schema is fine',
    prev: obj({ a: str }),
    next: obj({ a: str, b: {} }),
    breaks: null,
  },
  {
    name: 'open model: removing a property is fine',
    prev: obj({ a: str, b: num }),
    next: obj({ a: str }),
    breaks: null,
  },
  {
    name: 'closed model: removing a property breaks',
    prev: closed({ a: str, b: num }),
    next: closed({ a: str }),
    breaks: { change: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', path: '#/properties/b' },
  },
  {
    name: 'closed model: removing a property whose schema was false is fine',
    prev: closed({ a: str, b: false }),
    next: closed({ a: str }),
    breaks: null,
  },
  {
    name: 'closed model: adding an optional property is fine',
    prev: closed({ a: str }),
    next: closed({ a: str, b: num }),
    breaks: null,
  },
  {
    name: 'closed model: adding a required property without default breaks',
    prev: closed({ a: str }),
    next: closed({ a: str, b: num }, { required: ['b'] }),
    breaks: { change: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', path: '#/properties/b' },
  },
  {
    name: 'closed model: adding a required property with a default is fine',
    prev: closed({ a: str }),
    next: closed({ a: str, b: { type: 'number', default: 0 } }, { required: ['b'] }),
    breaks: null,
  },
  { name: 'closed → open is fine', prev: closed({ a: str }), next: obj({ a: str }), breaks: null },
  {
    name: 'open → closed breaks',
    prev: obj({ a: str }),
    next: closed({ a: str }),
    breaks: { change: 'ADDITIONAL_PROPERTIES_REMOVED', path: '#/additionalProperties' },
  },
  {
    name: 'open → partially open narrows',
    prev: obj({ a: str }),
    next: obj({ a: str }, { additionalProperties: str }),
    breaks: { change: 'ADDITIONAL_PROPERTIES_NARROWED', path: '#/additionalProperties' },
  },
  {
    name: 'partially open: an added property the extra schema covers is fine',
    prev: obj({ a: str }, { additionalProperties: str }),
    next: obj({ a: str, b: str }, { additionalProperties: str }),
    breaks: null,
  },
  {
    name: 'partially open: an added property the extra schema does not cover breaks',
    prev: obj({ a: str }, { additionalProperties: str }),
    next: obj({ a: str, b: num }, { additionalProperties: str }),
    breaks: {
      change: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
      path: '#/properties/b',
    },
  },
  {
    name: 'partially open: a property removed into a covering extra schema is fine',
    prev: closed({ a: str, b: str }),
    next: obj({ a: str }, { additionalProperties: str }),
    breaks: null,
  },
  {
    name: 'partially open: a property removed into a non-covering extra schema breaks',
    prev: closed({ a: str, b: num }),
    next: obj({ a: str }, { additionalProperties: str }),
    breaks: {
      change: 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
      path: '#/properties/b',
    },
  },
  {
    name: 'pattern properties cover an added property of a wider type',
    prev: closed({ a: str }, { patternProperties: { '^I_': int } }),
    next: closed({ a: str, I_1: num }, { patternProperties: { '^I_': int } }),
    breaks: null,
  },
  // Required / optional.
  {
    name: 'optional → required breaks',
    prev: closed({ a: str }),
    next: closed({ a: str }, { required: ['a'] }),
    breaks: { change: 'REQUIRED_ATTRIBUTE_ADDED', path: '#/required/a' },
  },
  {
    name: 'required → optional is fine',
    prev: closed({ a: str }, { required: ['a'] }),
    next: closed({ a: str }),
    breaks: null,
  },
  // Types.
  {
    name: 'string → number breaks',
    prev: closed({ a: str }),
    next: closed({ a: num }),
    breaks: { change: 'TYPE_CHANGED', path: '#/properties/a' },
  },
  {
    name: 'number → integer narrows',
    prev: num,
    next: int,
    breaks: { change: 'TYPE_NARROWED', path: '#/' },
  },
  { name: 'integer → number widens', prev: int, next: num, breaks: null },
  { name: 'anything → {} is fine', prev: closed({ a: str }), next: {}, breaks: null },
  {
    name: '{} → typed breaks',
    prev: {},
    next: str,
    breaks: { change: 'TYPE_NARROWED', path: '#/' },
  },
  {
    name: 'string → oneOf [number, string] widens',
    prev: str,
    next: { oneOf: [num, str] },
    breaks: null,
  },
  {
    name: 'oneOf [number, string] → string narrows',
    prev: { oneOf: [num, str] },
    next: str,
    breaks: { change: 'SUM_TYPE_NARROWED', path: '#/oneOf/0' },
  },
  {
    name: 'nullable → not nullable narrows',
    prev: { anyOf: [str, { type: 'null' }] },
    next: str,
    breaks: { change: 'SUM_TYPE_NARROWED', path: '#/anyOf/1' },
  },
  // Strings.
  {
    name: 'minLength up breaks',
    prev: { type: 'string', minLength: 10 },
    next: { type: 'string', minLength: 11 },
    breaks: { change: 'MIN_LENGTH_INCREASED', path: '#/minLength' },
  },
  {
    name: 'minLength down is fine',
    prev: { type: 'string', minLength: 11 },
    next: { type: 'string', minLength: 10 },
    breaks: null,
  },
  {
    name: 'maxLength down breaks',
    prev: { type: 'string', maxLength: 12 },
    next: { type: 'string', maxLength: 10 },
    breaks: { change: 'MAX_LENGTH_DECREASED', path: '#/maxLength' },
  },
  {
    name: 'pattern added breaks',
    prev: str,
    next: { type: 'string', pattern: '^a' },
    breaks: { change: 'PATTERN_ADDED', path: '#/pattern' },
  },
  {
    name: 'pattern changed breaks',
    prev: { type: 'string', pattern: '^a' },
    next: { type: 'string', pattern: '^b' },
    breaks: { change: 'PATTERN_CHANGED', path: '#/pattern' },
  },
  {
    name: 'pattern removed is fine',
    prev: { type: 'string', pattern: '^a' },
    next: str,
    breaks: null,
  },
  {
    name: 'format is an annotation',
    prev: { type: 'string', format: 'email' },
    next: { type: 'string', format: 'uuid' },
    breaks: null,
  },
  // Numbers.
  {
    name: 'maximum down breaks',
    prev: { type: 'number', maximum: 11 },
    next: { type: 'number', maximum: 10 },
    breaks: { change: 'MAXIMUM_DECREASED', path: '#/maximum' },
  },
  {
    name: 'minimum down is fine',
    prev: { type: 'number', minimum: 11 },
    next: { type: 'number', minimum: 10 },
    breaks: null,
  },
  {
    name: 'minimum added breaks',
    prev: num,
    next: { type: 'number', minimum: 0 },
    breaks: { change: 'MINIMUM_ADDED', path: '#/minimum' },
  },
  {
    name: 'inclusive → exclusive at the same bound narrows',
    prev: { type: 'number', minimum: 0 },
    next: { type: 'number', exclusiveMinimum: 0 },
    breaks: { change: 'EXCLUSIVE_MINIMUM_INCREASED', path: '#/exclusiveMinimum' },
  },
  {
    name: 'exclusive → inclusive at the same bound widens',
    prev: { type: 'number', exclusiveMaximum: 1 },
    next: { type: 'number', maximum: 1 },
    breaks: null,
  },
  {
    name: 'draft-4 boolean exclusiveMinimum is read as exclusive',
    prev: { type: 'number', minimum: 0, exclusiveMinimum: true },
    next: { type: 'number', minimum: 0 },
    breaks: null,
  },
  {
    name: 'multipleOf reduced to a divisor is fine',
    prev: { type: 'number', multipleOf: 10 },
    next: { type: 'number', multipleOf: 2 },
    breaks: null,
  },
  {
    name: 'multipleOf changed breaks',
    prev: { type: 'number', multipleOf: 10 },
    next: { type: 'number', multipleOf: 11 },
    breaks: { change: 'MULTIPLE_OF_CHANGED', path: '#/multipleOf' },
  },
  {
    name: 'multipleOf removed is fine',
    prev: { type: 'number', multipleOf: 10 },
    next: num,
    breaks: null,
  },
  // Enums and consts.
  {
    name: 'enum extended is fine',
    prev: { type: 'string', enum: ['red'] },
    next: { type: 'string', enum: ['red', 'blue'] },
    breaks: null,
  },
  {
    name: 'enum removed (any string now) is fine',
    prev: { type: 'string', enum: ['red'] },
    next: str,
    breaks: null,
  },
  {
    name: 'enum changed breaks',
    prev: { type: 'string', enum: ['red'] },
    next: { type: 'string', enum: ['blue'] },
    breaks: { change: 'ENUM_ARRAY_CHANGED', path: '#/enum' },
  },
  {
    name: 'enum added breaks',
    prev: str,
    next: { type: 'string', enum: ['red'] },
    breaks: { change: 'ENUM_ADDED', path: '#/enum' },
  },
  {
    name: 'boolean → enum [true, false] keeps every value',
    prev: { type: 'boolean' },
    next: { enum: [true, false] },
    breaks: null,
  },
  {
    name: 'an enum value rejected by a new bound breaks',
    prev: { type: 'integer', enum: [1, 5] },
    next: { type: 'integer', maximum: 4 },
    breaks: { change: 'ENUM_VALUE_REJECTED', path: '#/' },
  },
  {
    name: 'const changed breaks',
    prev: { const: 'a' },
    next: { const: 'b' },
    breaks: { change: 'ENUM_ARRAY_CHANGED', path: '#/const' },
  },
  // Arrays.
  {
    name: 'item type changed breaks',
    prev: { type: 'array', items: str },
    next: { type: 'array', items: num },
    breaks: { change: 'TYPE_CHANGED', path: '#/items' },
  },
  {
    name: 'maxItems down breaks',
    prev: { type: 'array', maxItems: 3 },
    next: { type: 'array', maxItems: 2 },
    breaks: { change: 'MAX_ITEMS_DECREASED', path: '#/maxItems' },
  },
  {
    name: 'uniqueItems added breaks',
    prev: { type: 'array', items: str },
    next: { type: 'array', items: str, uniqueItems: true },
    breaks: { change: 'UNIQUE_ITEMS_ADDED', path: '#/uniqueItems' },
  },
  {
    name: 'tuple: a position dropped into a closed rest breaks',
    prev: { type: 'array', prefixItems: [str, num], items: false },
    next: { type: 'array', prefixItems: [str], items: false },
    breaks: { change: 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL', path: '#/prefixItems/1' },
  },
  {
    name: 'tuple: a position added after a closed rest is fine',
    prev: { type: 'array', prefixItems: [str], items: false },
    next: { type: 'array', prefixItems: [str, num], items: false },
    breaks: null,
  },
  {
    name: 'tuple: a typed position added after an open rest breaks',
    prev: { type: 'array', prefixItems: [str] },
    next: { type: 'array', prefixItems: [str, num] },
    breaks: { change: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', path: '#/prefixItems/1' },
  },
  // Nesting, references, combinators, opaque keywords.
  {
    name: 'a nested closed property removed breaks, with its full path',
    prev: closed({ a: closed({ b: str, c: num }) }),
    next: closed({ a: closed({ b: str }) }),
    breaks: {
      change: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
      path: '#/properties/a/properties/c',
    },
  },
  {
    name: 'a change under $defs is found through $ref',
    prev: {
      $defs: { A: { type: 'string', maxLength: 5 } },
      ...closed({ a: { $ref: '#/$defs/A' } }),
    },
    next: {
      $defs: { A: { type: 'string', maxLength: 4 } },
      ...closed({ a: { $ref: '#/$defs/A' } }),
    },
    breaks: { change: 'MAX_LENGTH_DECREASED', path: '#/properties/a/maxLength' },
  },
  { name: 'not narrowed is fine', prev: { not: num }, next: { not: int }, breaks: null },
  {
    name: 'not extended breaks',
    prev: { not: int },
    next: { not: num },
    breaks: { change: 'NOT_TYPE_EXTENDED', path: '#/not' },
  },
  {
    name: 'a conjunct added to allOf that old data may fail breaks',
    prev: str,
    next: { allOf: [str, { maxLength: 3 }] },
    breaks: { change: 'MAX_LENGTH_ADDED', path: '#/allOf/1/maxLength' },
  },
  {
    name: 'an unmodelled assertion added breaks',
    prev: { type: 'array' },
    next: { type: 'array', contains: num },
    breaks: { change: 'CONTAINS_CHANGED', path: '#/contains' },
  },
  {
    name: 'an unmodelled assertion removed is fine',
    prev: { type: 'array', contains: num },
    next: { type: 'array' },
    breaks: null,
  },
  {
    name: 'title, description, default and custom tags are annotations',
    prev: { type: 'string', title: 'a', description: 'b', default: 'x', pii: true },
    next: { type: 'string', title: 'c', description: 'd', default: 'y' },
    breaks: null,
  },
];

describe('compatibility rules, one direction (BACKWARD)', () => {
  for (const r of RULES) {
    it(r.name, () => {
      const result = checkCompatibility([r.prev], r.next, 'BACKWARD');
      if (r.breaks === null) {
        expect(result).toEqual({ compatible: true, problems: [] });
      } else {
        expect(result.compatible).toBe(false);
        expect(result.problems.map((p) => ({ change: p.change, path: p.path }))).toContainEqual(
          r.breaks,
        );
      }
    });
  }

  it('terminates on recursive schemas and still finds a change inside the recursion', () => {
    const tree = (leaf: JsonSchema): JsonSchema =>
      closed(
        { value: leaf, kids: { type: 'array', items: { $ref: '#' } } },
        { required: ['value'] },
      );
    expect(checkCompatibility([tree(num)], tree(num), 'FULL_TRANSITIVE').compatible).toBe(true);
    const r = checkCompatibility([tree(num)], tree(int), 'BACKWARD');
    expect(r.problems).toEqual([
      expect.objectContaining({ path: '#/properties/value', change: 'TYPE_NARROWED' }),
    ]);
  });
});

describe('modes over what Zod emits', () => {
  const v1 = z.toJSONSchema(z.object({ id: z.string() }), { io: 'output' }) as JsonSchema;
  const v2 = z.toJSONSchema(z.object({ id: z.string(), note: z.string().optional() }), {
    io: 'output',
  }) as JsonSchema;

  it('adding an optional field to z.object is BACKWARD but not FORWARD or FULL (closed model)', () => {
    expect(checkCompatibility([v1], v2, 'BACKWARD').compatible).toBe(true);
    expect(checkCompatibility([v1], v2, 'FORWARD').compatible).toBe(false);
    expect(checkCompatibility([v1], v2, 'FULL').compatible).toBe(false);
  });

  it('a z.looseObject may gain a z.unknown() field under FULL (empty schema on an open model)', () => {
    const a = z.toJSONSchema(z.looseObject({ id: z.string() })) as JsonSchema;
    const b = z.toJSONSchema(z.looseObject({ id: z.string(), extra: z.unknown() })) as JsonSchema;
    expect(checkCompatibility([a], b, 'FULL_TRANSITIVE').compatible).toBe(true);
  });

  it('a partially open model (catchall) may gain a covered field under FULL', () => {
    const a = z.toJSONSchema(z.object({ id: z.string() }).catchall(z.string())) as JsonSchema;
    const b = z.toJSONSchema(
      z.object({ id: z.string(), tag: z.string().optional() }).catchall(z.string()),
    ) as JsonSchema;
    expect(checkCompatibility([a], b, 'FULL').compatible).toBe(true);
  });

  it('a discriminated union gaining a variant is BACKWARD; losing one is not', () => {
    const a = z.object({ kind: z.literal('a'), x: z.string() });
    const b = z.object({ kind: z.literal('b') });
    const one = z.toJSONSchema(z.discriminatedUnion('kind', [a])) as JsonSchema;
    const two = z.toJSONSchema(z.discriminatedUnion('kind', [a, b])) as JsonSchema;
    expect(checkCompatibility([one], two, 'BACKWARD').compatible).toBe(true);
    expect(checkCompatibility([two], one, 'BACKWARD').compatible).toBe(false);
  });

  it('nullable and enum evolutions read the same as their hand-written forms', () => {
    const plain = z.toJSONSchema(z.object({ s: z.enum(['A', 'B']) })) as JsonSchema;
    const wider = z.toJSONSchema(z.object({ s: z.enum(['A', 'B', 'C']).nullable() })) as JsonSchema;
    expect(checkCompatibility([plain], wider, 'BACKWARD').compatible).toBe(true);
    expect(checkCompatibility([plain], wider, 'FORWARD').problems).not.toHaveLength(0);
  });
});

describe('transitive modes', () => {
  // v2 was registered under NONE and dropped `a`; the candidate brings `a` back as a number.
  const v1 = closed({ a: str, id: str }, { required: ['id'] });
  const v2 = closed({ id: str }, { required: ['id'] });
  const v3 = closed({ a: num, id: str }, { required: ['id'] });

  it('BACKWARD checks the latest only; BACKWARD_TRANSITIVE finds the clash with v1', () => {
    expect(checkCompatibility([v1, v2], v3, 'BACKWARD').compatible).toBe(true);
    const t = checkCompatibility([v1, v2], v3, 'BACKWARD_TRANSITIVE');
    expect(t.problems).toEqual([
      { path: '#/properties/a', change: 'TYPE_CHANGED', version: 1, direction: 'backward' },
    ]);
  });

  it('FULL names the direction of each problem', () => {
    const r = checkCompatibility([v2], v3, 'FULL');
    expect(r.problems).toEqual([
      expect.objectContaining({ path: '#/properties/a', direction: 'forward', version: 1 }),
    ]);
  });

  it('an empty history and NONE are always compatible', () => {
    expect(checkCompatibility([], v3, 'FULL_TRANSITIVE').compatible).toBe(true);
    expect(checkCompatibility([str], num, 'NONE').compatible).toBe(true);
  });
});

describe('bad input', () => {
  it('refuses an unknown mode, a non-array history, a non-schema and a remote $ref', () => {
    const bad = [
      () => checkCompatibility([], str, 'SIDEWAYS' as never),
      () => checkCompatibility(str as never, str, 'BACKWARD'),
      () => checkCompatibility([str], 42 as never, 'BACKWARD'),
      () => checkCompatibility([{ $ref: 'https://example.org/s.json' }], str, 'BACKWARD'),
      () => checkCompatibility([{ $ref: '#/$defs/missing' }], str, 'FORWARD'),
    ];
    for (const call of bad) {
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(isInvalidArgumentError(thrown), String(thrown)).toBe(true);
    }
  });
});
