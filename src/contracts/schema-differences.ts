/**
 * Where two JSON Schemas published under one contract id differ, for `ContractMismatchError`:
 * a reader of "already registered with a different schema" should not have to diff two
 * fingerprints by hand. Structural, not semantic: every key present on one side only, and every
 * value that differs, at its JSON pointer (`#/properties/amount/maximum`); whether the change
 * would be compatible is the catalog's compatibility check, not this.
 */
import type { SchemaDifference } from '../errors.js';

/** The differences from `registered` to `proposed` in pointer order (none when either is not JSON Schema). */
export function schemaDifferences(registered: unknown, proposed: unknown): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  if (
    registered === undefined ||
    registered === null ||
    proposed === undefined ||
    proposed === null
  )
    return out;
  walk(registered, proposed, '#', out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: SchemaDifference[]): void {
  if (a === b) return;
  if (a === undefined) return void out.push({ path, kind: 'added' });
  if (b === undefined) return void out.push({ path, kind: 'removed' });
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}/${i}`, out);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const own = (o: Record<string, unknown>) => (Object.hasOwn(o, k) ? o[k] : undefined);
      walk(own(a), own(b), `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, kind: 'changed' });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
