/**
 * The vocabulary shared by the compatibility rules: problems, paths, count bounds.
 */
import type { JsonSchemaObject, SchemaDoc } from './schema-doc.js';

/** One incompatible change between two schemas. */
export interface SchemaProblem {
  /** JSON pointer into the schema, `#/properties/amount/maximum`. */
  readonly path: string;
  /** What changed, e.g. `PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL`. */
  readonly change: string;
  /** Extra words for a human, when the change name is not enough. */
  readonly detail?: string;
}

/** What the object and array rules need from the checker. */
export interface Differ {
  readonly original: SchemaDoc;
  readonly update: SchemaDoc;
  compare(o: unknown, u: unknown, path: string, out: SchemaProblem[]): void;
  /** Problems of one comparison, without reporting them. */
  scratch(o: unknown, u: unknown, path: string): SchemaProblem[];
}

/** Joins JSON-pointer segments onto a path (`#/` is the root). */
export function join(path: string, ...segments: string[]): string {
  const tail = segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  return path.endsWith('/') ? path + tail : `${path}/${tail}`;
}

/** `minLength` → `MIN_LENGTH`. */
export const snake = (keyword: string) => keyword.replace(/[A-Z]/g, (m) => `_${m}`).toUpperCase();

/** A lower count bound (`minLength`, `minItems`, `minProperties`) may only go down. */
export function lowerCount(
  o: JsonSchemaObject,
  u: JsonSchemaObject,
  keyword: string,
  path: string,
  out: SchemaProblem[],
): void {
  const was = o[keyword];
  const now = u[keyword];
  if (typeof now !== 'number' || now <= (typeof was === 'number' ? was : 0)) return;
  const change = `${snake(keyword)}_${typeof was === 'number' ? 'INCREASED' : 'ADDED'}`;
  out.push({ path: join(path, keyword), change, detail: `${String(was ?? 'none')} → ${now}` });
}

/** An upper count bound (`maxLength`, `maxItems`, `maxProperties`) may only go up. */
export function upperCount(
  o: JsonSchemaObject,
  u: JsonSchemaObject,
  keyword: string,
  path: string,
  out: SchemaProblem[],
): void {
  const was = o[keyword];
  const now = u[keyword];
  if (typeof now !== 'number' || now >= (typeof was === 'number' ? was : Infinity)) return;
  const change = `${snake(keyword)}_${typeof was === 'number' ? 'DECREASED' : 'ADDED'}`;
  out.push({ path: join(path, keyword), change, detail: `${String(was ?? 'none')} → ${now}` });
}
