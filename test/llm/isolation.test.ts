import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) out.push(m[1]!);
  return out;
}

/** The packages reachable from `entry` through relative imports, with the file importing each. */
function reachablePackages(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const stack = [resolve(SRC, entry)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.set(spec, file);
    }
  }
  return packages;
}

const isSdk = (pkg: string) => pkg === 'ai' || pkg.startsWith('ai/') || pkg.startsWith('@ai-sdk/');

describe('the AI SDK stays in baton/llm', () => {
  it.each(['index.ts', 'cli/main.ts'])('%s never loads it', (entry) => {
    const sdk = [...reachablePackages(entry)].filter(([pkg]) => isSdk(pkg));
    expect(sdk).toEqual([]);
  });

  it('baton/llm does load it (the check sees imports at all)', () => {
    expect([...reachablePackages('llm/index.ts').keys()].filter(isSdk)).toContain('ai');
  });
});
