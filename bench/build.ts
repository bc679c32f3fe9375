/**
 * Transpiles src/ and bench/ to plain ESM JavaScript (TypeScript's `transpileModule`, no type
 * check) under node_modules/.cache/baton-bench, so each measurement runs in plain `node` with
 * no loader. Under `tsx` a child starts ~1.3 s slower and carries ~40 MB of loader memory,
 * which would be charged to whichever implementation it measures.
 *
 * Invariants:
 * - The output tree mirrors the repository (bench/x.ts -> <out>/bench/x.js), so relative
 *   imports resolve unchanged and bare imports resolve from the repository's node_modules.
 * - The output directory is rebuilt from scratch on every bench run: never a stale file.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const SKIP = /\.(test|int\.test|test-d)\.ts$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory())
      return e.name === 'results' || e.name === 'node_modules' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !SKIP.test(e.name) ? [path] : [];
  });
}

/**
 * Transpiles src/ and bench/ under `root` into `out` (default node_modules/.cache/baton-bench,
 * rebuilt from scratch) and returns it; bare imports there resolve from the node_modules above
 * `out` (the Mastra suite transpiles into its own install, bench/mastra-setup.ts).
 * @throws Error naming the file when a source has a syntax error.
 */
export function transpileForBench(
  root: string,
  out = join(root, 'node_modules', '.cache', 'baton-bench'),
): string {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // node_modules is a package-scope boundary: without this, the output would load as CommonJS.
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  for (const file of [...sources(join(root, 'src')), ...sources(join(root, 'bench'))]) {
    const result = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        sourceMap: false,
      },
    });
    const errors = result.diagnostics ?? [];
    if (errors.length > 0) {
      const text = errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      throw new Error(`cannot transpile ${relative(root, file)}: ${text.join('; ')}`);
    }
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, result.outputText);
  }
  return out;
}
