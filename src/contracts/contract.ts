/**
 * Contracts: named, versioned schemas for data crossing a boundary (`credit.score@1`).
 *
 * Invariants:
 * - A contract's id is `name@version`, the version a positive integer; it is checked when the
 *   contract is defined, so a malformed id never reaches a run.
 * - Validation is synchronous and reports every issue with its path.
 * - The fingerprint is the sha256 of the canonical JSON Schema, so the same shape always has
 *   the same fingerprint, in any process.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ContractViolationError, InvalidDefinitionError, type ValidationIssue } from '../errors.js';
import { sha256 } from '../ledger/hash.js';
import { canonicalJson, tooDeepError } from '../ledger/json.js';

/** Any validator implementing Standard Schema v1 (Zod 4, Valibot, ArkType, ...). */
export type Schema<T = unknown> = StandardSchemaV1<unknown, T>;

/** Result of validating a value against a contract. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** Where a validation happens, to name it in a `ContractViolationError`. */
export interface HandoffSite {
  readonly boundary: ContractViolationError['boundary'];
  readonly step?: string | undefined;
  readonly agent?: string | undefined;
}

/** A named, versioned schema. */
export interface Contract<T = unknown> {
  readonly kind: 'contract';
  /** `name@version`. */
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly schema: Schema<T>;
  /** JSON Schema (draft 2020-12) of the output type, or null if the validator cannot export it. */
  readonly jsonSchema: Readonly<Record<string, unknown>> | null;
  /** sha256 of the canonical JSON Schema (or of the vendor and id when there is none). */
  readonly fingerprint: string;
  /** Validates and returns every issue. */
  validate(value: unknown): ValidationResult<T>;
  /** Validates and returns the (possibly transformed) value, or throws `ContractViolationError`. */
  parse(value: unknown, site?: HandoffSite): T;
}

/** The data type a contract describes. */
export type ContractType<C> = C extends Contract<infer T> ? T : never;

const NAME = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;
const VERSION = /^[1-9][0-9]*$/;

/** Parses and checks `name@version`. @throws InvalidDefinitionError naming the problem. */
export function parseContractId(id: unknown): { name: string; version: number } {
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidDefinitionError(
      `contract id must be a non-empty string 'name@version', got ${JSON.stringify(id)}`,
      'contract',
    );
  }
  const at = id.lastIndexOf('@');
  if (at < 0) {
    throw new InvalidDefinitionError(`contract id '${id}' has no version: write '${id}@1'`, id);
  }
  const name = id.slice(0, at);
  const version = id.slice(at + 1);
  if (!NAME.test(name)) {
    throw new InvalidDefinitionError(
      `contract id '${id}': name '${name}' must be lowercase letters and digits separated by '.', '_' or '-'`,
      id,
    );
  }
  if (!VERSION.test(version)) {
    throw new InvalidDefinitionError(
      `contract id '${id}': version '${version}' must be a positive integer`,
      id,
    );
  }
  return { name, version: Number(version) };
}

/**
 * Defines a contract.
 * @throws InvalidDefinitionError for a malformed id or a schema that is not a Standard Schema.
 * @example
 * const Score = contract('credit.score@1', z.object({ score: z.number().int().min(300).max(850) }));
 */
export function contract<S extends Schema>(
  id: string,
  schema: S,
): Contract<StandardSchemaV1.InferOutput<S>> {
  const { name, version } = parseContractId(id);
  const std = (schema as Partial<StandardSchemaV1> | null | undefined)?.['~standard'];
  if (!std || typeof std.validate !== 'function') {
    throw new InvalidDefinitionError(
      `contract '${id}': schema must be a Zod 4 or other Standard Schema validator`,
      id,
    );
  }
  const jsonSchema = exportJsonSchema(schema);
  const fingerprint = sha256(jsonSchema ? canonicalJson(jsonSchema) : `opaque:${std.vendor}:${id}`);
  type T = StandardSchemaV1.InferOutput<S>;

  const validate = (value: unknown): ValidationResult<T> => {
    let result: ReturnType<typeof std.validate>;
    try {
      result = std.validate(value);
    } catch (e) {
      throw tooDeepError(value) ?? e;
    }
    if (result instanceof Promise) {
      // Some validators fall back to an async path when the sync one throws (a stack overflow
      // on a very deep value): that promise is dropped, and the depth is the real cause.
      result.catch(() => undefined);
      const deep = tooDeepError(value);
      if (deep) throw deep;
      throw new InvalidDefinitionError(
        `contract '${id}' uses an asynchronous schema; contracts validate synchronously`,
        id,
      );
    }
    if (result.issues) return { ok: false, issues: result.issues.map(toIssue) };
    return { ok: true, value: result.value as T };
  };

  return Object.freeze({
    kind: 'contract' as const,
    id,
    name,
    version,
    schema: schema as Schema<T>,
    jsonSchema,
    fingerprint,
    validate,
    parse(value: unknown, site: HandoffSite = { boundary: 'value' }): T {
      const r = validate(value);
      if (r.ok) return r.value;
      throw new ContractViolationError({ contractId: id, issues: r.issues, ...site });
    },
  });
}

function toIssue(issue: StandardSchemaV1.Issue): ValidationIssue {
  const path = (issue.path ?? []).map((p) =>
    typeof p === 'object' && p !== null && 'key' in p ? toKey(p.key) : toKey(p as PropertyKey),
  );
  return { path, message: issue.message };
}

function toKey(k: PropertyKey): string | number {
  return typeof k === 'number' ? k : String(k);
}

function exportJsonSchema(schema: Schema): Readonly<Record<string, unknown>> | null {
  const converter = (schema['~standard'] as { jsonSchema?: { output?: (o: object) => unknown } })
    .jsonSchema;
  if (!converter?.output) return null;
  try {
    const out = converter.output({
      target: 'draft-2020-12',
      libraryOptions: { unrepresentable: 'any' },
    });
    // Round-trip through the canonical encoder: proves it is plain JSON and freezes it.
    return JSON.parse(canonicalJson(out)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** True when `value` is a contract. */
export function isContract(value: unknown): value is Contract {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'contract'
  );
}
