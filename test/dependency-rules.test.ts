/**
 * The layer rules of `.dependency-cruiser.cjs` leave no folder out: the ledger, the bottom layer,
 * may import no other folder of src/ (only errors.ts), including folders added after the rule.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli/helpers.js';

interface Rule {
  readonly name: string;
  readonly from: { readonly path: string };
  readonly to: { readonly path?: string };
}

const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: Rule[];
};
const rule = (name: string): Rule => {
  const r = config.forbidden.find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};
const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('dependency rules', () => {
  it('forbid the ledger every other folder of src/', () => {
    const to = new RegExp(rule('ledger-is-the-bottom').to.path!);
    const allowed = folders.filter((f) => !to.test(`src/${f}/any.ts`));
    expect(allowed).toEqual(['ledger']);
    expect(to.test('src/errors.ts')).toBe(false);
  });
});
