/**
 * Start-up stays light: what `baton --help` loads is the static import graph of the CLI's entry
 * point, and that graph must not reach the package root (the runtime, tracing, SQLite driver) or
 * zod; commands load those with `import()` when they run. Type-only imports are erased at build
 * time and do not count; `import { type X }` does count (verbatimModuleSyntax keeps the import).
 * Timings are measured in bench/cli-startup.ts, not here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));

/** The specifiers a module imports or re-exports at load time (not `import type`, not `import()`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(
    /^(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)';/gm,
  ))
    if (!m[1]) out.push(m[2]!);
  return out;
}

/** Every module reachable from `entry` through static imports: files under src/ and packages. */
function graph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('CLI start-up', () => {
  it('loads neither the package root nor zod, tracing or SQLite before a command runs', () => {
    const { files, packages } = graph(join(SRC, 'cli', 'main.ts'));
    const rel = [...files].map((f) => f.slice(SRC.length)).sort();
    expect(rel).toContain('cli/program.ts');
    expect(rel).toContain('cli/commands/blame.ts');
    expect(rel.filter((f) => !f.startsWith('cli/'))).toEqual(['errors.ts', 'ledger/types.ts']);
    expect([...packages].filter((p) => !p.startsWith('node:')).sort()).toEqual(['commander']);
  });

  it('sees a value import of the root where there is one (the check can fail)', () => {
    const { files, packages } = graph(join(SRC, 'cli', 'commands', 'demo-workflow.ts'));
    expect([...files].map((f) => f.slice(SRC.length))).toContain('index.ts');
    expect(packages).toContain('zod');
  });
});
