/**
 * JSON Schema documents as the compatibility checker reads them: local `$ref` resolution, the
 * keywords that constrain values (everything else is an annotation), content models and types.
 *
 * Invariants:
 * - Pure: nothing here mutates a schema or keeps state between calls.
 * - Only local references (`#`, `#/$defs/...`, `#/definitions/...`, any JSON pointer into the
 *   same document) are followed; anything else is a typed error naming the reference, never a
 *   silent "compatible".
 */
import { InvalidArgumentError } from '../errors.js';

/** A JSON Schema (draft 2020-12, draft-07 or draft-04 keywords): `true`, `false` or an object. */
export type JsonSchema = boolean | JsonSchemaObject;

/** A JSON Schema object: keywords to values. */
export interface JsonSchemaObject {
  readonly [keyword: string]: unknown;
}

/** The primitive JSON Schema types. */
export type TypeName = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

const TYPE_NAMES: ReadonlySet<string> = new Set([
  'object',
  'array',
  'string',
  'number',
  'integer',
  'boolean',
  'null',
]);

/**
 * Assertion keywords the checker does not reason about: a change to one is judged by equality
 * (removed: compatible, since removing an assertion only widens; added or changed: incompatible).
 */
export const OPAQUE_KEYWORDS: readonly string[] = [
  'dependentRequired',
  'dependentSchemas',
  'dependencies',
  'contains',
  'minContains',
  'maxContains',
  'unevaluatedItems',
  'unevaluatedProperties',
  'if',
  'then',
  'else',
  '$dynamicRef',
];

/**
 * Keywords that constrain which values a schema accepts. Any other keyword (title, description,
 * default, examples, format, `pii`, vendor `x-*` tags, ...) is an annotation and never makes a
 * change incompatible on its own.
 */
const ASSERTIONS: ReadonlySet<string> = new Set([
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'items',
  'prefixItems',
  'additionalItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  '$ref',
  ...OPAQUE_KEYWORDS,
]);

const OBJECT_KEYWORDS = [
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
];
const ARRAY_KEYWORDS = ['items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems'];
const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern'];
const NUMBER_KEYWORDS = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
];

/** True for a JSON object (not an array, not null). */
export function isObject(v: unknown): v is JsonSchemaObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A schema document: resolves local references against its root. */
export class SchemaDoc {
  constructor(readonly root: JsonSchema) {
    if (typeof root !== 'boolean' && !isObject(root)) {
      throw new InvalidArgumentError(
        `a JSON Schema must be an object or a boolean, got ${JSON.stringify(root)}`,
        'schema',
      );
    }
  }

  /**
   * Follows `$ref` until a schema without one (keywords next to a `$ref` are merged under it,
   * as draft 2019-09+ applies both).
   * @throws InvalidArgumentError for a non-local or dangling reference, or a reference loop.
   */
  resolve(schema: unknown): JsonSchema {
    let s = this.check(schema);
    for (let hops = 0; isObject(s) && typeof s.$ref === 'string'; hops++) {
      if (hops > 32) throw new InvalidArgumentError(`$ref loop at '${s.$ref}'`, '$ref');
      const { $ref, ...rest } = s;
      const target = this.check(this.pointer($ref as string));
      if (Object.keys(rest).some((k) => ASSERTIONS.has(k)) && isObject(target)) {
        s = { ...target, ...rest };
      } else s = target;
    }
    return s;
  }

  private check(schema: unknown): JsonSchema {
    if (typeof schema === 'boolean' || isObject(schema)) return schema;
    throw new InvalidArgumentError(
      `a JSON Schema must be an object or a boolean, got ${JSON.stringify(schema)}`,
      'schema',
    );
  }

  private pointer(ref: string): unknown {
    if (ref !== '#' && !ref.startsWith('#/')) {
      throw new InvalidArgumentError(
        `only local references are supported; resolve '${ref}' before checking`,
        '$ref',
      );
    }
    let node: unknown = this.root;
    for (const raw of ref.slice(2).split('/')) {
      if (raw === '' && ref === '#') break;
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : null;
      if (node === undefined || node === null) {
        throw new InvalidArgumentError(`$ref '${ref}' points at nothing`, '$ref');
      }
    }
    return node;
  }
}

/** True when a schema accepts every value: `true`, or an object with annotations only. */
export function acceptsAnything(s: JsonSchema): boolean {
  if (s === true) return true;
  if (s === false) return false;
  return !Object.keys(s).some((k) => ASSERTIONS.has(k));
}

/** The enumerated values of a schema (`const` or `enum`), or undefined when it has none. */
export function enumValues(s: JsonSchemaObject): readonly unknown[] | undefined {
  if ('const' in s) return [s.const];
  return Array.isArray(s.enum) ? s.enum : undefined;
}

/**
 * The types a schema admits: its `type` keyword, or, without one, the type its other keywords
 * describe (as a registry reads `{ "properties": ... }` as an object schema); empty = any type.
 */
export function typesOf(s: JsonSchemaObject): TypeName[] {
  const t = s.type;
  if (typeof t === 'string') return TYPE_NAMES.has(t) ? [t as TypeName] : [];
  if (Array.isArray(t)) return t.filter((x): x is TypeName => TYPE_NAMES.has(String(x)));
  const inferred: TypeName[] = [];
  const has = (keys: string[]) => keys.some((k) => k in s);
  if (has(OBJECT_KEYWORDS)) inferred.push('object');
  if (has(ARRAY_KEYWORDS)) inferred.push('array');
  if (has(STRING_KEYWORDS)) inferred.push('string');
  if (has(NUMBER_KEYWORDS)) inferred.push('number');
  return inferred;
}

/** How an object schema treats properties it does not declare. */
export type ContentModel = 'open' | 'closed' | 'partial';

/** Open: anything undeclared is allowed; closed: nothing is; partial: a schema decides. */
export function contentModel(s: JsonSchemaObject): ContentModel {
  const patterns = isObject(s.patternProperties) && Object.keys(s.patternProperties).length > 0;
  const extra = s.additionalProperties;
  if (patterns) return 'partial';
  if (extra === undefined || extra === true) return 'open';
  if (extra === false) return 'closed';
  return acceptsAnything(extra as JsonSchema) ? 'open' : 'partial';
}

/**
 * The schema an object applies to an undeclared property `key`: the first matching
 * `patternProperties` entry, else `additionalProperties` (absent = `true`).
 */
export function undeclaredSchema(s: JsonSchemaObject, key: string): JsonSchema {
  if (isObject(s.patternProperties)) {
    for (const [pattern, schema] of Object.entries(s.patternProperties)) {
      if (safeRegExp(pattern)?.test(key)) return schema as JsonSchema;
    }
  }
  const extra = s.additionalProperties;
  return extra === undefined ? true : (extra as JsonSchema);
}

/** A JSON Schema `pattern` as a RegExp, or undefined when JavaScript cannot compile it. */
export function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

/** A JSON pointer segment for `key` (RFC 6901 escaping). */
export function segment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
