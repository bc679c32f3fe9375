/**
 * JSON values, canonical encoding and deep freezing, done in a single pass.
 *
 * Invariants:
 * - Only plain JSON is accepted: null, booleans, finite numbers, strings, arrays and plain
 *   objects (prototype Object.prototype or null). Anything else is rejected with the path.
 * - The canonical encoding sorts object keys, so equal data always encodes (and hashes) the same.
 * - Object properties whose value is `undefined` are omitted, as JSON.stringify does; an
 *   `undefined` inside an array has no JSON form and is rejected.
 * - After `sealJson(value)` the value and everything reachable from it is frozen.
 */
import { NonJsonValueError } from '../errors.js';

/** A JSON value. */
export type Json =
  | null
  | boolean
  | number
  | string
  | readonly Json[]
  | { readonly [k: string]: Json };

/** A JSON object. */
export type JsonObject = { readonly [k: string]: Json };

/** Result of sealing a value: the same value, now frozen, and its canonical encoding. */
export interface Sealed<T> {
  readonly value: T;
  readonly encoded: string;
}

/**
 * Validates that `value` is plain JSON, deep-freezes it in place and returns its canonical
 * encoding. Throws `NonJsonValueError` naming the first offending path.
 */
export function sealJson<T>(value: T, rootPath = '$'): Sealed<T> {
  const encoded = encodeValue(value, newWalk(rootPath, true));
  if (encoded === undefined) throw new NonJsonValueError(rootPath, 'undefined has no JSON form');
  return { value, encoded: flatten(encoded) };
}

/** The canonical (sorted-key) encoding of a JSON value, without freezing it. */
export function canonicalJson(value: unknown, rootPath = '$'): string {
  const encoded = encodeValue(value, newWalk(rootPath, false));
  if (encoded === undefined) throw new NonJsonValueError(rootPath, 'undefined has no JSON form');
  return flatten(encoded);
}

/**
 * Validates that `value` is plain JSON and deep-freezes it in place, without encoding it (for
 * values that are handed on but never stored, such as an agent's input).
 */
export function freezeJson<T>(value: T, rootPath = '$'): T {
  freezeValue(value, newWalk(rootPath, true));
  return value;
}

/**
 * Makes V8 store `s` as one flat string. An encoding built by concatenation is a tree of
 * pieces (dozens of heap objects for one small payload); stored as is, a version would keep
 * the whole tree alive. Converting to a number reads the string flat, which flattens it in
 * place; the pieces become garbage at the next scavenge.
 */
function flatten(s: string): string {
  void Number(s);
  return s;
}

/** Deep-freezes a JSON value (validating it) and returns it. */
export function deepFreeze<T>(value: T): T {
  return sealJson(value).value;
}

/**
 * Where a walk is: the keys from the root to the current value and the objects along the way.
 * Paths are built from it only when an error is thrown (building a path string per property
 * made encoding allocate several times the size of its output).
 */
interface Walk {
  readonly root: string;
  readonly freeze: boolean;
  /** keys[i] leads from objects[i] to the value one level deeper. */
  readonly keys: (string | number)[];
  readonly objects: object[];
}

function newWalk(root: string, freeze: boolean): Walk {
  return { root, freeze, keys: [], objects: [] };
}

/** The deepest nesting a value may have (objects and arrays inside one another). */
export const MAX_NESTING = 512;

/** Nesting beyond this depth is checked for cycles (a cycle always nests past it). */
const CYCLE_CHECK_DEPTH = 64;

function pathOf(w: Walk, depth = w.keys.length): string {
  return joinPath(w.root, w.keys, depth);
}

/** Paths longer than this many keys show their start and end around an elision. */
const PATH_SHOWN = 24;

function joinPath(root: string, keys: readonly (string | number)[], depth: number): string {
  let path = root;
  for (let i = 0; i < depth; i++) {
    if (depth > PATH_SHOWN && i === PATH_SHOWN - 4) {
      path += `…(${depth - PATH_SHOWN} more)…`;
      i = depth - 4;
    }
    const k = keys[i]!;
    path += typeof k === 'number' ? `[${k}]` : `.${k}`;
  }
  return path;
}

/**
 * A NonJsonValueError when `value` nests deeper than MAX_NESTING, else undefined. The walk stops
 * at that depth, so it is safe on any value (used where a validator overflowed the stack).
 */
export function tooDeepError(value: unknown, root = '$'): NonJsonValueError | undefined {
  const keys: (string | number)[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown): boolean => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return false;
    if (keys.length >= MAX_NESTING) return true;
    seen.add(v);
    for (const [k, child] of Object.entries(v)) {
      keys.push(Array.isArray(v) ? Number(k) : k);
      if (walk(child)) return true;
      keys.pop();
    }
    return false;
  };
  if (!walk(value)) return undefined;
  return new NonJsonValueError(
    joinPath(root, keys, keys.length),
    `nested deeper than ${MAX_NESTING} levels`,
  );
}

function fail(w: Walk, reason: string): never {
  throw new NonJsonValueError(pathOf(w), reason);
}

/**
 * Enters `obj` one level down. Past CYCLE_CHECK_DEPTH it checks the ancestors; a cycle is
 * reported at the shallowest point where the value first contains itself.
 */
function enter(w: Walk, obj: object): void {
  const objects = w.objects;
  // A bound on nesting keeps every later walk (encode, decode, diff) far from the stack limit,
  // and reports a too-deep value with its path instead of a raw RangeError.
  if (objects.length >= MAX_NESTING) fail(w, `nested deeper than ${MAX_NESTING} levels`);
  if (objects.length >= CYCLE_CHECK_DEPTH && objects.includes(obj)) {
    const chain = [...objects, obj];
    const first = chain.findIndex((o, i) => chain.indexOf(o) < i);
    throw new NonJsonValueError(pathOf(w, first), 'cycle: the value contains itself');
  }
  objects.push(obj);
}

/** Rejects what is neither an array nor a plain object, or has symbol keys. */
function checkPlainObject(w: Walk, obj: object): void {
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
    fail(w, `an instance of ${name} is not a plain object`);
  }
  if (Object.getOwnPropertySymbols(obj).length > 0) fail(w, 'symbol keys have no JSON form');
}

/** Why a non-object value has no JSON form, or undefined when it has one. */
const NO_JSON_FORM: Partial<Record<string, string>> = {
  bigint: 'BigInt has no JSON form',
  symbol: 'a symbol has no JSON form',
  function: 'a function has no JSON form',
};

function checkScalar(w: Walk, value: unknown): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(w, `${value} is not a finite number`);
    return;
  }
  const reason = NO_JSON_FORM[typeof value];
  if (reason !== undefined) fail(w, reason);
}

function freezeValue(value: unknown, w: Walk): void {
  if (typeof value !== 'object' || value === null) {
    checkScalar(w, value);
    return;
  }
  // A frozen value below the root was sealed before (values are only frozen once checked).
  if (w.keys.length > 0 && Object.isFrozen(value)) return;
  enter(w, value);
  const keys = w.keys;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      keys.push(i);
      if (value[i] === undefined) fail(w, 'undefined inside an array');
      freezeValue(value[i], w);
      keys.pop();
    }
  } else {
    checkPlainObject(w, value);
    for (const key in value) {
      keys.push(key);
      freezeValue((value as Record<string, unknown>)[key], w);
      keys.pop();
    }
  }
  w.objects.pop();
  Object.freeze(value);
}

function encodeValue(value: unknown, w: Walk): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) fail(w, `${value} is not a finite number`);
      // For finite numbers this is exactly JSON's form (both use Number::toString).
      return `${value}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return 'null';
      return encodeObject(value, w);
    default:
      checkScalar(w, value);
      return undefined;
  }
}

function encodeObject(obj: object, w: Walk): string {
  enter(w, obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = encodeArray(obj, w);
  } else {
    checkPlainObject(w, obj);
    out = encodeRecord(obj as Record<string, unknown>, w);
  }
  w.objects.pop();
  if (w.freeze) Object.freeze(obj);
  return out;
}

function encodeArray(arr: unknown[], w: Walk): string {
  const keys = w.keys;
  let out = '[';
  for (let i = 0; i < arr.length; i++) {
    keys.push(i);
    const item = encodeValue(arr[i], w);
    if (item === undefined) fail(w, 'undefined inside an array');
    keys.pop();
    out += i === 0 ? item : `,${item}`;
  }
  return `${out}]`;
}

function encodeRecord(rec: Record<string, unknown>, w: Walk): string {
  const names = sortKeys(Object.keys(rec));
  const keys = w.keys;
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    const key = names[i]!;
    keys.push(key);
    const item = encodeValue(rec[key], w);
    keys.pop();
    if (item === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${quoteKey(key)}:${item}`;
  }
  return `${out}}`;
}

/**
 * JSON-quoted object keys, cached: payloads of one contract repeat the same few keys, and
 * quoting them anew was a third of the encoding time. Bounded, so data with ever-new keys
 * (ids as keys) cannot grow it without limit; past the bound keys are quoted each time.
 */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 10_000;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * Sorts keys in place by UTF-16 code units, as `Array.prototype.sort` does: insertion sort for
 * the handful of keys objects usually have (the built-in sort allocates a work array per call).
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** Parses a canonical encoding back and freezes the result. */
export function decodeJson<T = Json>(encoded: string): T {
  return freezeParsed(JSON.parse(encoded)) as T;
}

function freezeParsed(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) freezeParsed(v);
    Object.freeze(value);
  }
  return value;
}
