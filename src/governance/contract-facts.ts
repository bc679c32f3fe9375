/**
 * What the catalog reads off a contract's JSON Schema besides its shape: fields tagged as
 * personal data (`.meta({ pii: true })`) and named semantic rules (`.meta({ rules: {...} })`).
 *
 * Why annotations: `.refine` rules and PII tags are invisible to a validator's structure, but
 * Zod copies `.meta()` into the emitted JSON Schema, so they travel with the registered schema
 * and a change to them changes the contract's fingerprint.
 */
import type { Json } from '../ledger/json.js';
import { isObject, type JsonSchemaObject } from './schema-doc.js';

/** True when a property schema carries a PII tag (`pii: true` or `x-pii: true`). */
export function isPiiSchema(s: unknown): boolean {
  return isObject(s) && (s.pii === true || s['x-pii'] === true);
}

/**
 * Paths of PII fields in data valid under `schema`: `/applicant/ssn`; `*` stands for any array
 * index or any additional property name.
 */
export function piiPaths(schema: Json | null): string[] {
  if (!isObject(schema)) return [];
  const out = new Set<string>();
  const root = schema as JsonSchemaObject;
  const walk = (s: unknown, path: string, depth: number, seen: Set<unknown>) => {
    if (!isObject(s) || depth > 32 || seen.has(s)) return;
    if (typeof s.$ref === 'string') return walk(resolveLocal(root, s.$ref), path, depth + 1, seen);
    if (isPiiSchema(s)) {
      out.add(path || '/');
      return;
    }
    const next = new Set(seen).add(s);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const list = s[key];
      if (Array.isArray(list)) for (const x of list) walk(x, path, depth + 1, next);
    }
    if (isObject(s.properties)) {
      for (const [k, v] of Object.entries(s.properties)) walk(v, `${path}/${k}`, depth + 1, next);
    }
    if (isObject(s.additionalProperties))
      walk(s.additionalProperties, `${path}/*`, depth + 1, next);
    if (isObject(s.items)) walk(s.items, `${path}/*`, depth + 1, next);
    if (Array.isArray(s.prefixItems)) {
      s.prefixItems.forEach((x, i) => {
        walk(x, `${path}/${i}`, depth + 1, next);
      });
    }
  };
  walk(root, '', 0, new Set());
  return [...out].sort();
}

function resolveLocal(root: JsonSchemaObject, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return node;
}

/** Named semantic rules declared on the schema's root: `{ 'min-confidence': 1 }`. */
export function declaredRules(schema: Json | null): Record<string, number> {
  if (!isObject(schema) || !isObject(schema.rules)) return {};
  const out: Record<string, number> = {};
  for (const [name, version] of Object.entries(schema.rules)) {
    if (typeof version === 'number' && Number.isInteger(version) && version > 0) {
      out[name] = version;
    }
  }
  return out;
}

/** How two rule sets differ: added, removed and re-versioned rule names. */
export function rulesDiff(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): { added: string[]; removed: string[]; changed: string[] } {
  const added = Object.keys(after).filter((k) => !(k in before));
  const removed = Object.keys(before).filter((k) => !(k in after));
  const changed = Object.keys(after).filter((k) => k in before && before[k] !== after[k]);
  return { added, removed, changed };
}
