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
  const encoded = encodeValue(value, rootPath, new Set(), true);
  if (encoded === undefined) throw new NonJsonValueError(rootPath, 'undefined has no JSON form');
  return { value, encoded };
}

/** The canonical (sorted-key) encoding of a JSON value, without freezing it. */
export function canonicalJson(value: unknown, rootPath = '$'): string {
  const encoded = encodeValue(value, rootPath, new Set(), false);
  if (encoded === undefined) throw new NonJsonValueError(rootPath, 'undefined has no JSON form');
  return encoded;
}

/**
 * Validates that `value` is plain JSON and deep-freezes it in place, without encoding it (for
 * values that are handed on but never stored, such as an agent's input).
 */
export function freezeJson<T>(value: T, rootPath = '$'): T {
  freezeValue(value, rootPath, 0, undefined);
  return value;
}

/** Nesting beyond this depth is checked for cycles with a set (shallower values are cheaper). */
const CYCLE_CHECK_DEPTH = 64;

function freezeValue(
  value: unknown,
  path: string,
  depth: number,
  ancestors: Set<object> | undefined,
): void {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new NonJsonValueError(path, `${value} is not a finite number`);
    }
    if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') {
      throw new NonJsonValueError(path, `a ${typeof value} has no JSON form`);
    }
    return;
  }
  if (Object.isFrozen(value) && depth > 0) return;
  if (depth > CYCLE_CHECK_DEPTH) {
    ancestors ??= new Set();
    if (ancestors.has(value)) throw new NonJsonValueError(path, 'cycle: the value contains itself');
    ancestors.add(value);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined)
        throw new NonJsonValueError(`${path}[${i}]`, 'undefined inside an array');
      freezeValue(value[i], `${path}[${i}]`, depth + 1, ancestors);
    }
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
      throw new NonJsonValueError(path, `an instance of ${name} is not a plain object`);
    }
    for (const key in value)
      freezeValue((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, ancestors);
  }
  ancestors?.delete(value);
  Object.freeze(value);
}

/** Deep-freezes a JSON value (validating it) and returns it. */
export function deepFreeze<T>(value: T): T {
  return sealJson(value).value;
}

function encodeValue(
  value: unknown,
  path: string,
  ancestors: Set<object>,
  freeze: boolean,
): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new NonJsonValueError(path, `${value} is not a finite number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'bigint':
      throw new NonJsonValueError(path, 'BigInt has no JSON form');
    case 'symbol':
      throw new NonJsonValueError(path, 'a symbol has no JSON form');
    case 'function':
      throw new NonJsonValueError(path, 'a function has no JSON form');
    default:
      if (value === null) return 'null';
      return encodeObject(value as object, path, ancestors, freeze);
  }
}

function encodeObject(obj: object, path: string, ancestors: Set<object>, freeze: boolean): string {
  if (ancestors.has(obj)) throw new NonJsonValueError(path, 'cycle: the value contains itself');
  ancestors.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = encodeArray(obj, path, ancestors, freeze);
  } else {
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
      throw new NonJsonValueError(path, `an instance of ${name} is not a plain object`);
    }
    if (Object.getOwnPropertySymbols(obj).length > 0) {
      throw new NonJsonValueError(path, 'symbol keys have no JSON form');
    }
    out = encodeRecord(obj as Record<string, unknown>, path, ancestors, freeze);
  }
  ancestors.delete(obj);
  if (freeze && !Object.isFrozen(obj)) Object.freeze(obj);
  return out;
}

function encodeArray(
  arr: unknown[],
  path: string,
  ancestors: Set<object>,
  freeze: boolean,
): string {
  let out = '[';
  for (let i = 0; i < arr.length; i++) {
    const item = encodeValue(arr[i], `${path}[${i}]`, ancestors, freeze);
    if (item === undefined)
      throw new NonJsonValueError(`${path}[${i}]`, 'undefined inside an array');
    out += i === 0 ? item : `,${item}`;
  }
  return `${out}]`;
}

function encodeRecord(
  rec: Record<string, unknown>,
  path: string,
  ancestors: Set<object>,
  freeze: boolean,
): string {
  const keys = Object.keys(rec).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = encodeValue(rec[key], `${path}.${key}`, ancestors, freeze);
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${item}`;
    first = false;
  }
  return `${out}}`;
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
