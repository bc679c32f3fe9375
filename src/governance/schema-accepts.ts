/**
 * A small JSON Schema validator for single values, used to decide whether every value an old
 * `enum`/`const` allowed is still accepted by a new schema. It covers the assertion keywords the
 * compatibility checker reasons about; an opaque keyword (`if`, `contains`, ...) makes it answer
 * "not accepted", which keeps the checker conservative.
 */
import { canonicalJson } from '../ledger/json.js';
import {
  enumValues,
  isObject,
  type JsonSchemaObject,
  OPAQUE_KEYWORDS,
  type SchemaDoc,
  safeRegExp,
  undeclaredSchema,
} from './schema-doc.js';

/** Structural equality of two JSON values. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

/** True when `schema` (resolved in `doc`) accepts `value`. */
export function accepts(doc: SchemaDoc, schema: unknown, value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  const s = doc.resolve(schema);
  if (s === true) return true;
  if (s === false) return false;
  if (OPAQUE_KEYWORDS.some((k) => k in s)) return false;
  const values = enumValues(s);
  if (values && !values.some((v) => sameJson(v, value))) return false;
  if (!typeMatches(s, value)) return false;
  const sub = (x: unknown, v: unknown) => accepts(doc, x, v, depth + 1);
  if (Array.isArray(s.allOf) && !s.allOf.every((x) => sub(x, value))) return false;
  if (Array.isArray(s.anyOf) && !s.anyOf.some((x) => sub(x, value))) return false;
  if (Array.isArray(s.oneOf) && s.oneOf.filter((x) => sub(x, value)).length !== 1) return false;
  if ('not' in s && sub(s.not, value)) return false;
  if (typeof value === 'string') return stringOk(s, value);
  if (typeof value === 'number') return numberOk(s, value);
  if (Array.isArray(value)) return arrayOk(s, value, sub);
  if (isObject(value)) return objectOk(s, value, sub);
  return true;
}

function typeMatches(s: JsonSchemaObject, value: unknown): boolean {
  if (s.type === undefined) return true;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types.some((t) => {
    switch (t) {
      case 'null':
        return value === null;
      case 'boolean':
        return typeof value === 'boolean';
      case 'string':
        return typeof value === 'string';
      case 'number':
        return typeof value === 'number';
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value);
      case 'array':
        return Array.isArray(value);
      case 'object':
        return isObject(value);
      default:
        return false;
    }
  });
}

function stringOk(s: JsonSchemaObject, v: string): boolean {
  const length = [...v].length;
  if (typeof s.minLength === 'number' && length < s.minLength) return false;
  if (typeof s.maxLength === 'number' && length > s.maxLength) return false;
  if (typeof s.pattern === 'string' && !safeRegExp(s.pattern)?.test(v)) return false;
  return true;
}

function numberOk(s: JsonSchemaObject, v: number): boolean {
  const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  const min = num('minimum');
  const max = num('maximum');
  if (min !== undefined && (s.exclusiveMinimum === true ? v <= min : v < min)) return false;
  if (max !== undefined && (s.exclusiveMaximum === true ? v >= max : v > max)) return false;
  const xmin = num('exclusiveMinimum');
  const xmax = num('exclusiveMaximum');
  if (xmin !== undefined && v <= xmin) return false;
  if (xmax !== undefined && v >= xmax) return false;
  const m = num('multipleOf');
  if (m !== undefined && m > 0) {
    const q = v / m;
    if (Math.abs(q - Math.round(q)) > 1e-9) return false;
  }
  return true;
}

type Sub = (schema: unknown, value: unknown) => boolean;

function arrayOk(s: JsonSchemaObject, v: readonly unknown[], sub: Sub): boolean {
  if (typeof s.minItems === 'number' && v.length < s.minItems) return false;
  if (typeof s.maxItems === 'number' && v.length > s.maxItems) return false;
  if (s.uniqueItems === true) {
    const seen = new Set(v.map((x) => canonicalJson(x)));
    if (seen.size !== v.length) return false;
  }
  const prefix = Array.isArray(s.prefixItems)
    ? s.prefixItems
    : Array.isArray(s.items)
      ? s.items
      : [];
  const rest = Array.isArray(s.prefixItems)
    ? s.items
    : Array.isArray(s.items)
      ? s.additionalItems
      : s.items;
  return v.every((x, i) => (i < prefix.length ? sub(prefix[i], x) : sub(rest ?? true, x)));
}

function objectOk(s: JsonSchemaObject, v: JsonSchemaObject, sub: Sub): boolean {
  const keys = Object.keys(v);
  if (typeof s.minProperties === 'number' && keys.length < s.minProperties) return false;
  if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) return false;
  if (Array.isArray(s.required) && !s.required.every((k) => keys.includes(String(k)))) return false;
  const props = isObject(s.properties) ? s.properties : {};
  for (const k of keys) {
    if ('propertyNames' in s && !sub(s.propertyNames, k)) return false;
    const declared = Object.hasOwn(props, k);
    if (!sub(declared ? props[k] : undeclaredSchema(s, k), v[k])) return false;
  }
  return true;
}
