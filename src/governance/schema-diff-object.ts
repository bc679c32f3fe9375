/**
 * Object and array rules of the compatibility checker, with content models: an *open* model
 * accepts undeclared properties (items) of any shape, a *closed* one none, a *partially open*
 * one those its `additionalProperties`/`patternProperties` (`items` after a tuple) allow.
 *
 * Why the asymmetry in the rules: data written under an open model may already carry any
 * property name with any value, so a reader that now declares that name with a type may choke on
 * old data; data written under a closed model carries only declared properties, so a reader may
 * add optional ones freely but may not drop one it would then refuse.
 */

import {
  acceptsAnything,
  contentModel,
  isObject,
  type JsonSchema,
  type JsonSchemaObject,
  type SchemaDoc,
  undeclaredSchema,
} from './schema-doc.js';
import { type Differ, join, lowerCount, type SchemaProblem, upperCount } from './schema-problem.js';

const record = (v: unknown): JsonSchemaObject => (isObject(v) ? v : {});
const strings = (v: unknown): Set<string> =>
  new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function hasDefault(doc: SchemaDoc, s: unknown): boolean {
  const r = doc.resolve(s);
  return isObject(r) && 'default' in r;
}

/** Object rules: properties, required, content model, pattern properties, counts, names. */
export function compareObject(
  d: Differ,
  o: JsonSchemaObject,
  u: JsonSchemaObject,
  path: string,
  out: SchemaProblem[],
): void {
  const oProps = record(o.properties);
  const uProps = record(u.properties);
  const oReq = strings(o.required);
  const uReq = strings(u.required);
  const keys = [...new Set([...Object.keys(oProps), ...Object.keys(uProps)])].sort();
  for (const key of keys) {
    const p = join(path, 'properties', key);
    const inO = Object.hasOwn(oProps, key);
    const inU = Object.hasOwn(uProps, key);
    if (inO && inU) {
      d.compare(oProps[key], uProps[key], p, out);
      if (!oReq.has(key) && uReq.has(key) && !hasDefault(d.update, uProps[key])) {
        out.push({ path: join(path, 'required', key), change: 'REQUIRED_ATTRIBUTE_ADDED' });
      }
    } else if (inU) {
      propertyAdded(d, o, key, uProps[key], uReq.has(key), p, out);
    } else {
      propertyRemoved(d, u, key, oProps[key], p, out);
    }
  }
  for (const key of [...uReq].sort()) {
    if (!Object.hasOwn(uProps, key) && !oReq.has(key)) {
      out.push({ path: join(path, 'required', key), change: 'REQUIRED_ATTRIBUTE_ADDED' });
    }
  }
  additionalProperties(d, o, u, path, out);
  patternProperties(d, o, u, path, out);
  lowerCount(o, u, 'minProperties', path, out);
  upperCount(o, u, 'maxProperties', path, out);
  if ('propertyNames' in u) {
    d.compare(o.propertyNames ?? true, u.propertyNames, join(path, 'propertyNames'), out);
  }
}

function propertyAdded(
  d: Differ,
  o: JsonSchemaObject,
  key: string,
  schema: unknown,
  required: boolean,
  p: string,
  out: SchemaProblem[],
): void {
  const model = contentModel(o);
  if (model === 'open') {
    if (!acceptsAnything(d.update.resolve(schema))) {
      out.push({ path: p, change: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL' });
    }
    return;
  }
  if (model === 'partial') {
    const cover = undeclaredSchema(o, key);
    if (cover !== false && d.scratch(cover, schema, p).length > 0) {
      out.push({ path: p, change: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' });
    }
  }
  if (required && !hasDefault(d.update, schema)) {
    out.push({ path: p, change: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL' });
  }
}

function propertyRemoved(
  d: Differ,
  u: JsonSchemaObject,
  key: string,
  schema: unknown,
  p: string,
  out: SchemaProblem[],
): void {
  const model = contentModel(u);
  if (model === 'open') return;
  const cover = model === 'partial' ? undeclaredSchema(u, key) : false;
  if (cover !== false) {
    if (d.scratch(schema, cover, p).length > 0) {
      out.push({ path: p, change: 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' });
    }
    return;
  }
  if (d.original.resolve(schema) === false) return;
  out.push({ path: p, change: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL' });
}

function unconstrained(doc: SchemaDoc, extra: unknown): boolean {
  return extra === undefined || extra === true || acceptsAnything(doc.resolve(extra));
}

function additionalProperties(
  d: Differ,
  o: JsonSchemaObject,
  u: JsonSchemaObject,
  path: string,
  out: SchemaProblem[],
): void {
  const p = join(path, 'additionalProperties');
  const oA = o.additionalProperties;
  const uA = u.additionalProperties;
  if (oA === false) return;
  if (uA === false) return void out.push({ path: p, change: 'ADDITIONAL_PROPERTIES_REMOVED' });
  const oOpen = unconstrained(d.original, oA);
  const uOpen = unconstrained(d.update, uA);
  if (oOpen && !uOpen) out.push({ path: p, change: 'ADDITIONAL_PROPERTIES_NARROWED' });
  else if (!oOpen && !uOpen) d.compare(oA, uA, p, out);
}

function patternProperties(
  d: Differ,
  o: JsonSchemaObject,
  u: JsonSchemaObject,
  path: string,
  out: SchemaProblem[],
): void {
  const oPat = record(o.patternProperties);
  const uPat = record(u.patternProperties);
  const all = [...new Set([...Object.keys(oPat), ...Object.keys(uPat)])].sort();
  for (const pat of all) {
    const p = join(path, 'patternProperties', pat);
    if (Object.hasOwn(oPat, pat) && Object.hasOwn(uPat, pat)) {
      d.compare(oPat[pat], uPat[pat], p, out);
    } else if (Object.hasOwn(uPat, pat)) {
      // Names matching the new pattern were undeclared before: old data may hold any of them.
      const before: JsonSchema = (o.additionalProperties as JsonSchema | undefined) ?? true;
      if (d.scratch(before, uPat[pat], p).length > 0) {
        out.push({ path: p, change: 'PATTERN_PROPERTY_ADDED' });
      }
    } else {
      const after: JsonSchema = (u.additionalProperties as JsonSchema | undefined) ?? true;
      if (d.scratch(oPat[pat], after, p).length > 0) {
        out.push({ path: p, change: 'PATTERN_PROPERTY_REMOVED' });
      }
    }
  }
}

interface ArrayShape {
  readonly prefix: readonly unknown[];
  /** Schema of items after the prefix (`true` when unconstrained). */
  readonly rest: unknown;
  /** The keyword that holds the prefix, for paths. */
  readonly prefixKey: string;
}

/** Tuples in draft 2020-12 (`prefixItems` + `items`) or draft-07 (`items: []` + `additionalItems`). */
function shape(s: JsonSchemaObject): ArrayShape {
  if (Array.isArray(s.prefixItems)) {
    return { prefix: s.prefixItems, rest: s.items ?? true, prefixKey: 'prefixItems' };
  }
  if (Array.isArray(s.items)) {
    return { prefix: s.items, rest: s.additionalItems ?? true, prefixKey: 'items' };
  }
  return { prefix: [], rest: s.items ?? true, prefixKey: 'prefixItems' };
}

/** Array rules: tuple positions with content models, item schema, counts, uniqueness. */
export function compareArray(
  d: Differ,
  o: JsonSchemaObject,
  u: JsonSchemaObject,
  path: string,
  out: SchemaProblem[],
): void {
  const os = shape(o);
  const us = shape(u);
  const n = Math.max(os.prefix.length, us.prefix.length);
  for (let i = 0; i < n; i++) {
    const p = join(path, i < us.prefix.length ? us.prefixKey : os.prefixKey, String(i));
    if (i < os.prefix.length && i < us.prefix.length) {
      d.compare(os.prefix[i], us.prefix[i], p, out);
    } else if (i < os.prefix.length) {
      // Position i now falls under the reader's rest schema.
      if (us.rest === false) {
        if (d.original.resolve(os.prefix[i]) !== false) {
          out.push({ path: p, change: 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL' });
        }
      } else if (d.scratch(os.prefix[i], us.rest, p).length > 0) {
        out.push({ path: p, change: 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' });
      }
    } else if (os.rest !== false && d.scratch(os.rest, us.prefix[i], p).length > 0) {
      // Position i was written under the writer's rest schema.
      const open = unconstrained(d.original, os.rest);
      out.push({
        path: p,
        change: open
          ? 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL'
          : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
      });
    }
  }
  d.compare(os.rest, us.rest, join(path, 'items'), out);
  lowerCount(o, u, 'minItems', path, out);
  upperCount(o, u, 'maxItems', path, out);
  if (u.uniqueItems === true && o.uniqueItems !== true) {
    out.push({ path: join(path, 'uniqueItems'), change: 'UNIQUE_ITEMS_ADDED' });
  }
}
