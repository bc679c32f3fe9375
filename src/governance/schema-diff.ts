/**
 * One direction of a compatibility check: can a reader holding schema `update` read every value
 * written under schema `original`? Each reason it cannot is a problem with the JSON-pointer path
 * of the schema location and a change name in the vocabulary of Confluent Schema Registry's
 * JSON Schema rules (`PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL`, `MAXIMUM_DECREASED`, ...).
 *
 * Invariants:
 * - Only incompatible changes are reported; compatible ones (widenings, annotation edits,
 *   default changes) leave no trace.
 * - The rules follow the registry's deliberate choices where they differ from pure set
 *   inclusion: a required property with a `default` may be added, and a property may be added
 *   to an open content model only with the empty schema `{}`.
 * - Recursive schemas terminate: a pair of schemas already under comparison counts as
 *   compatible on re-entry (its real differences are reported by the outer comparison).
 */
import { accepts, sameJson } from './schema-accepts.js';
import { compareArray, compareObject } from './schema-diff-object.js';
import {
  acceptsAnything,
  enumValues,
  type JsonSchema,
  type JsonSchemaObject,
  OPAQUE_KEYWORDS,
  SchemaDoc,
  type TypeName,
  typesOf,
} from './schema-doc.js';
import {
  type Differ,
  join,
  lowerCount,
  type SchemaProblem,
  snake,
  upperCount,
} from './schema-problem.js';

interface Branch {
  readonly type: TypeName | 'any';
  readonly schema: JsonSchemaObject;
  /** Where the branch sits under the node (`anyOf/1`), '' for the node itself. */
  readonly at: string;
}

const MAX_DEPTH = 256;

/** Checks that `update` can read every value valid under `original`. */
export function diffSchemas(original: JsonSchema, update: JsonSchema): SchemaProblem[] {
  return new SchemaDiff(new SchemaDoc(original), new SchemaDoc(update)).run();
}

class SchemaDiff implements Differ {
  /** Pairs under comparison right now, for recursive schemas. */
  private readonly active = new Map<object, Set<object>>();
  private depth = 0;

  constructor(
    readonly original: SchemaDoc,
    readonly update: SchemaDoc,
  ) {}

  run(): SchemaProblem[] {
    const out: SchemaProblem[] = [];
    this.compare(this.original.root, this.update.root, '#/', out);
    return out;
  }

  scratch(o: unknown, u: unknown, path: string): SchemaProblem[] {
    const out: SchemaProblem[] = [];
    this.compare(o, u, path, out);
    return out;
  }

  compare(o: unknown, u: unknown, path: string, out: SchemaProblem[]): void {
    const os = this.original.resolve(o);
    const us = this.update.resolve(u);
    if (acceptsAnything(us) || os === false) return;
    if (us === false) return void out.push({ path, change: 'TYPE_CHANGED', detail: 'now false' });
    if (os === true || us === true || acceptsAnything(os)) {
      return void out.push({ path, change: 'TYPE_NARROWED', detail: 'accepted any value' });
    }
    const seen = this.active.get(os) ?? new Set<object>();
    if (seen.has(us)) return;
    if (this.depth > MAX_DEPTH) return void out.push({ path, change: 'SCHEMA_TOO_DEEP' });
    seen.add(us);
    this.active.set(os, seen);
    this.depth++;
    try {
      this.compareNode(os, us, path, out);
    } finally {
      this.depth--;
      seen.delete(us);
    }
  }

  private compareNode(
    o: JsonSchemaObject,
    u: JsonSchemaObject,
    path: string,
    out: SchemaProblem[],
  ) {
    if (Array.isArray(u.allOf)) {
      // A value must satisfy every conjunct of the reader's schema.
      u.allOf.forEach((x, i) => {
        this.compare(o, x, join(path, 'allOf', String(i)), out);
      });
      const { allOf: _all, ...rest } = u;
      return this.compare(o, rest, path, out);
    }
    if (Array.isArray(o.allOf)) return this.originalAllOf(o, o.allOf, u, path, out);
    this.opaque(o, u, path, out);
    this.not(o, u, path, out);
    const values = enumValues(o);
    if (values) return this.enumerated(o, values, u, path, out);
    if (enumValues(u)) return this.enumAdded(o, u, path, out);
    this.branches(o, u, path, out);
  }

  /** Assertions the checker does not model: removing one widens, anything else is a change. */
  private opaque(o: JsonSchemaObject, u: JsonSchemaObject, path: string, out: SchemaProblem[]) {
    for (const k of OPAQUE_KEYWORDS) {
      if (!(k in u) || (k in o && sameJson(o[k], u[k]))) continue;
      const name = k.replace(/^\$/, '').replace(/[A-Z]/g, (m) => `_${m}`);
      out.push({ path: join(path, k), change: `${name.toUpperCase()}_CHANGED` });
    }
  }

  /** `not`: the reader may exclude less than before, never more. */
  private not(o: JsonSchemaObject, u: JsonSchemaObject, path: string, out: SchemaProblem[]) {
    if (!('not' in u)) return;
    const p = join(path, 'not');
    if (!('not' in o)) return void out.push({ path: p, change: 'NOT_ADDED' });
    const swapped = new SchemaDiff(this.update, this.original);
    if (swapped.scratch(u.not, o.not, p).length > 0)
      out.push({ path: p, change: 'NOT_TYPE_EXTENDED' });
  }

  /** The writer's value satisfied every conjunct: one conjunct the reader accepts is enough. */
  private originalAllOf(
    o: JsonSchemaObject,
    allOf: readonly unknown[],
    u: JsonSchemaObject,
    path: string,
    out: SchemaProblem[],
  ): void {
    const { allOf: _all, ...rest } = o;
    const candidates: unknown[] = acceptsAnything(rest) ? [...allOf] : [rest, ...allOf];
    let best: SchemaProblem[] | undefined;
    for (const c of candidates) {
      const problems = this.scratch(c, u, path);
      if (problems.length === 0) return;
      if (!best || problems.length < best.length) best = problems;
    }
    out.push(...(best ?? [{ path, change: 'PRODUCT_TYPE_CHANGED' }]));
  }

  /** The writer could only write these values: each must still be accepted. */
  private enumerated(
    o: JsonSchemaObject,
    values: readonly unknown[],
    u: JsonSchemaObject,
    path: string,
    out: SchemaProblem[],
  ): void {
    const rejected = values.filter(
      (v) => accepts(this.original, o, v) && !accepts(this.update, u, v),
    );
    if (rejected.length === 0) return;
    const detail = `no longer accepts ${rejected.map((v) => JSON.stringify(v)).join(', ')}`;
    const now = enumValues(u);
    if (!now) return void out.push({ path, change: 'ENUM_VALUE_REJECTED', detail });
    const narrowed = now.every((x) => values.some((y) => sameJson(x, y)));
    out.push({
      path: join(path, 'const' in u ? 'const' : 'enum'),
      change: narrowed ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED',
      detail,
    });
  }

  /** The reader now enumerates values: fine only if the writer's domain was finite and kept. */
  private enumAdded(o: JsonSchemaObject, u: JsonSchemaObject, path: string, out: SchemaProblem[]) {
    const types = typesOf(o);
    const finite = types.length > 0 && types.every((t) => t === 'boolean' || t === 'null');
    const domain = [
      ...(types.includes('boolean') ? [true, false] : []),
      ...(types.includes('null') ? [null] : []),
    ];
    if (finite && domain.every((v) => accepts(this.update, u, v))) return;
    out.push({ path: join(path, 'const' in u ? 'const' : 'enum'), change: 'ENUM_ADDED' });
  }

  /** Every alternative the writer had must be readable by some alternative of the reader. */
  private branches(o: JsonSchemaObject, u: JsonSchemaObject, path: string, out: SchemaProblem[]) {
    const ob = this.split(this.original, o, '');
    const ub = this.split(this.update, u, '');
    if (ob.length === 1 && ub.length === 1 && !isUnion(o) && !isUnion(u)) {
      return this.typed(ob[0]!, ub[0]!, path, out);
    }
    for (const b of ob) {
      const at = b.at ? join(path, ...b.at.split('/')) : path;
      const candidates = ub.filter((c) => readable(b.type, c.type));
      if (candidates.length === 0) {
        const narrowed = b.type === 'number' && ub.some((c) => c.type === 'integer');
        out.push({
          path: at,
          change: narrowed ? 'TYPE_NARROWED' : 'SUM_TYPE_NARROWED',
          detail: `${b.type} no longer accepted`,
        });
        continue;
      }
      let best: SchemaProblem[] | undefined;
      for (const c of candidates) {
        const problems: SchemaProblem[] = [];
        this.typed(b, c, at, problems);
        if (problems.length === 0) {
          best = undefined;
          break;
        }
        if (!best || problems.length < best.length) best = problems;
      }
      if (best) out.push(...best);
    }
  }

  /** Compares two single-type alternatives. */
  private typed(o: Branch, u: Branch, path: string, out: SchemaProblem[]): void {
    if (u.type === 'any') return;
    if (isUnion(o.schema) || isUnion(u.schema)) {
      // A branch of a union can itself hold enums or unions: compare it as a whole schema.
      this.compare(o.schema, u.schema, path, out);
      return;
    }
    if (!readable(o.type, u.type)) {
      const narrowed = o.type === 'number' && u.type === 'integer';
      return void out.push({ path, change: narrowed ? 'TYPE_NARROWED' : 'TYPE_CHANGED' });
    }
    if (u.type === 'object') compareObject(this, o.schema, u.schema, path, out);
    else if (u.type === 'array') compareArray(this, o.schema, u.schema, path, out);
    else if (u.type === 'string') compareString(o.schema, u.schema, path, out);
    else if (u.type === 'number' || u.type === 'integer')
      compareNumber(o.schema, u.schema, path, out);
  }

  /** The single-type alternatives of a schema (a type list, `anyOf`/`oneOf`, nested). */
  private split(doc: SchemaDoc, s: JsonSchemaObject, at: string): Branch[] {
    const kind = Array.isArray(s.anyOf) ? 'anyOf' : Array.isArray(s.oneOf) ? 'oneOf' : undefined;
    if (kind) {
      const { anyOf: _a, oneOf: _o, ...base } = s;
      const out: Branch[] = [];
      (s[kind] as unknown[]).forEach((x, i) => {
        const r = doc.resolve(x);
        if (r === false) return;
        const sub: JsonSchemaObject = r === true ? {} : r;
        const merged = acceptsAnything(base) ? sub : { ...base, ...sub };
        out.push(...this.split(doc, merged, `${at}${kind}/${i}/`));
      });
      return out;
    }
    const trimmed = at.replace(/\/$/, '');
    const types = typesOf(s);
    if (types.length === 0) return [{ type: 'any', schema: s, at: trimmed }];
    if (types.length === 1) return [{ type: types[0]!, schema: s, at: trimmed }];
    return types.map((t) => ({ type: t, schema: { ...s, type: t }, at: trimmed }));
  }
}

function isUnion(s: JsonSchemaObject): boolean {
  return Array.isArray(s.anyOf) || Array.isArray(s.oneOf) || enumValues(s) !== undefined;
}

/** Can a reader of type `reader` read a value written as `writer`? (integer widens to number) */
function readable(writer: TypeName | 'any', reader: TypeName | 'any'): boolean {
  return reader === 'any' || writer === reader || (writer === 'integer' && reader === 'number');
}

function compareString(
  o: JsonSchemaObject,
  u: JsonSchemaObject,
  path: string,
  out: SchemaProblem[],
) {
  lowerCount(o, u, 'minLength', path, out);
  upperCount(o, u, 'maxLength', path, out);
  if (typeof u.pattern === 'string' && u.pattern !== o.pattern) {
    const change = typeof o.pattern === 'string' ? 'PATTERN_CHANGED' : 'PATTERN_ADDED';
    out.push({ path: join(path, 'pattern'), change });
  }
}

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
  readonly keyword: string;
}

/** The effective bound from `minimum`/`exclusiveMinimum` (or the max pair), draft-4 or later. */
function bound(s: JsonSchemaObject, side: 'min' | 'max'): Bound | undefined {
  const inclusiveKey = side === 'min' ? 'minimum' : 'maximum';
  const exclusiveKey = side === 'min' ? 'exclusiveMinimum' : 'exclusiveMaximum';
  const found: Bound[] = [];
  const inc = s[inclusiveKey];
  const exc = s[exclusiveKey];
  if (typeof inc === 'number') {
    found.push({ value: inc, exclusive: exc === true, keyword: inclusiveKey });
  }
  if (typeof exc === 'number') found.push({ value: exc, exclusive: true, keyword: exclusiveKey });
  const sign = side === 'min' ? 1 : -1;
  return found.reduce<Bound | undefined>((tight, b) => {
    if (!tight) return b;
    const d = sign * (b.value - tight.value);
    return d > 0 || (d === 0 && b.exclusive) ? b : tight;
  }, undefined);
}

function compareNumber(
  o: JsonSchemaObject,
  u: JsonSchemaObject,
  path: string,
  out: SchemaProblem[],
) {
  for (const side of ['min', 'max'] as const) {
    const now = bound(u, side);
    if (!now) continue;
    const was = bound(o, side);
    const sign = side === 'min' ? 1 : -1;
    const tighter =
      !was ||
      sign * (now.value - was.value) > 0 ||
      (now.value === was.value && now.exclusive && !was.exclusive);
    if (!tighter) continue;
    const moved = side === 'min' ? 'INCREASED' : 'DECREASED';
    const change = `${snake(now.keyword)}_${was ? moved : 'ADDED'}`;
    const detail = `${was ? String(was.value) : 'none'} → ${now.value}`;
    out.push({ path: join(path, now.keyword), change, detail });
  }
  const m = u.multipleOf;
  if (typeof m === 'number' && m > 0) {
    const was = o.multipleOf;
    if (typeof was !== 'number') {
      out.push({ path: join(path, 'multipleOf'), change: 'MULTIPLE_OF_ADDED' });
    } else {
      const q = was / m;
      if (Math.abs(q - Math.round(q)) > 1e-9) {
        out.push({ path: join(path, 'multipleOf'), change: 'MULTIPLE_OF_CHANGED' });
      }
    }
  }
}
