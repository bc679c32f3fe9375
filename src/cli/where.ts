/**
 * `baton bisect --where <path> <op> <value>`: a predicate over a state snapshot's data, parsed
 * from three words. No user code is evaluated: the path is split on dots (and `[n]` indexes),
 * the operator comes from a closed list, the value is JSON when it parses and a string otherwise.
 *
 * Invariants:
 * - Parsing is total: every input either yields a predicate or throws an error naming the
 *   offending word; evaluating a predicate never throws (a missing path is just "no value").
 * - Equality is structural on JSON values (canonical comparison), so `== {"a":1,"b":2}` matches
 *   regardless of key order.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Json } from '../index.js';

/** The comparison operators `--where` accepts. */
export const WHERE_OPS = ['==', '!=', '<', '<=', '>', '>=', 'contains', 'exists'] as const;

/** One of {@link WHERE_OPS}. */
export type WhereOp = (typeof WHERE_OPS)[number];

/** A parsed `--where` clause. */
export interface WhereClause {
  /** The path as typed, e.g. `risk.rating`. */
  readonly path: string;
  readonly segments: readonly (string | number)[];
  readonly op: WhereOp;
  /** The value compared against (absent for `exists`). */
  readonly value?: Json;
}

const SEGMENT = /^([^.[\]]+)((?:\[\d+\])*)$/;

/**
 * Splits `a.b[2].c` into `['a', 'b', 2, 'c']`.
 * @throws InvalidArgumentError for an empty path or segment, or a malformed index.
 */
export function parsePath(path: string): (string | number)[] {
  if (path.length === 0) throw new InvalidArgumentError('the path is empty', path);
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = SEGMENT.exec(part);
    if (!m) throw new InvalidArgumentError(`malformed path '${path}' (at '${part}')`, path);
    out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Parses the value word: JSON when it parses (`3`, `true`, `"B"`, `{"a":1}`), else the string. */
export function parseValue(word: string): Json {
  try {
    return JSON.parse(word) as Json;
  } catch {
    return word;
  }
}

/**
 * Parses `[path, op, value]` (or `[path, 'exists']`).
 * @throws InvalidArgumentError whose `argument` is the offending word.
 */
export function parseWhere(words: readonly string[]): WhereClause {
  const [path = '', op = '', ...rest] = words;
  if (words.length < 2) {
    throw new InvalidArgumentError(
      `--where needs <path> <op> <value>, got ${JSON.stringify(words.join(' '))}`,
      words.join(' '),
    );
  }
  if (!(WHERE_OPS as readonly string[]).includes(op)) {
    throw new InvalidArgumentError(
      `unknown operator '${op}' (use one of ${WHERE_OPS.join(' ')})`,
      op,
    );
  }
  const segments = parsePath(path);
  if (op === 'exists') {
    if (rest.length > 0)
      throw new InvalidArgumentError(`'exists' takes no value, got '${rest.join(' ')}'`, rest[0]!);
    return { path, segments, op };
  }
  if (rest.length !== 1) {
    throw new InvalidArgumentError(
      rest.length === 0
        ? `operator '${op}' needs a value`
        : `--where takes one value, got '${rest.join(' ')}'`,
      rest.join(' ') || op,
    );
  }
  const value = parseValue(rest[0]!);
  if ((op === '<' || op === '<=' || op === '>' || op === '>=') && !isOrderable(value)) {
    throw new InvalidArgumentError(
      `operator '${op}' needs a number or a string, got ${rest[0]}`,
      rest[0]!,
    );
  }
  return { path, segments, op: op as WhereOp, value };
}

function isOrderable(v: Json): v is number | string {
  return typeof v === 'number' || typeof v === 'string';
}

/** Reads the value at `segments` in `data`, or undefined when any step is missing. */
export function readPath(data: Json, segments: readonly (string | number)[]): Json | undefined {
  let cur: Json | undefined = data;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (typeof s !== 'number') return undefined;
      cur = cur[s];
    } else {
      if (typeof s !== 'string' || !Object.hasOwn(cur, s)) return undefined;
      cur = (cur as { readonly [k: string]: Json })[s];
    }
  }
  return cur;
}

/** Structural equality of JSON values (object key order does not matter). */
export function jsonEquals(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => jsonEquals(x, b[i]));
  const ra = a as { readonly [k: string]: Json };
  const rb = b as { readonly [k: string]: Json };
  const ka = Object.keys(ra);
  return (
    ka.length === Object.keys(rb).length &&
    ka.every((k) => Object.hasOwn(rb, k) && jsonEquals(ra[k], rb[k]))
  );
}

/** Evaluates a clause against a state's data. Never throws. */
export function matchWhere(clause: WhereClause, data: Json): boolean {
  const actual = readPath(data, clause.segments);
  const expected = clause.value;
  switch (clause.op) {
    case 'exists':
      return actual !== undefined;
    case '==':
      return jsonEquals(actual, expected);
    case '!=':
      return actual !== undefined && !jsonEquals(actual, expected);
    case 'contains':
      if (typeof actual === 'string')
        return typeof expected === 'string' && actual.includes(expected);
      return Array.isArray(actual) && actual.some((x) => jsonEquals(x, expected));
    default:
      return compare(clause.op, actual, expected);
  }
}

function compare(op: '<' | '<=' | '>' | '>=', a: Json | undefined, b: Json | undefined): boolean {
  // Only like with like: a number is never "less than" a string.
  if (
    !(typeof a === 'number' && typeof b === 'number') &&
    !(typeof a === 'string' && typeof b === 'string')
  )
    return false;
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  if (op === '>') return a > b;
  return a >= b;
}

/** The clause as one line, e.g. `risk.rating == "B"`. */
export function describeWhere(clause: WhereClause): string {
  return clause.op === 'exists'
    ? `${clause.path} exists`
    : `${clause.path} ${clause.op} ${JSON.stringify(clause.value)}`;
}
