/**
 * Loading a user's module from the CLI (`--workflows`, `--override`): JavaScript with Node's own
 * `import()`, TypeScript through tsx's scoped loader.
 *
 * Invariants:
 * - tsx is an optional peer dependency: it is imported only when a TypeScript module is asked
 *   for, so plain `.js` users never load it (nor pay its start-up cost).
 * - tsx's loader is scoped to the one import (`tsImport`), not registered process-wide: the rest
 *   of the CLI keeps Node's resolution.
 * - Every failure is an InvalidArgumentError naming the module and the option it came from.
 */
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError } from '../errors.js';

/** Extensions loaded through tsx. */
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** A module's exports. */
export type ModuleExports = Record<string, unknown>;

/**
 * Imports the module at `modulePath` (relative to the working directory).
 * @throws InvalidArgumentError when it cannot be loaded (missing file, syntax error, a
 *   TypeScript module without tsx installed, an error thrown by its top-level code).
 */
export async function importUserModule(modulePath: string, option: string): Promise<ModuleExports> {
  const url = pathToFileURL(resolve(modulePath)).href;
  try {
    if (!TYPESCRIPT.has(extname(modulePath).toLowerCase()))
      return (await import(url)) as ModuleExports;
    return await importTypeScript(url, modulePath, option);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    throw new InvalidArgumentError(
      `cannot load ${option} module '${modulePath}': ${(e as Error).message ?? String(e)}`,
      option,
    );
  }
}

async function importTypeScript(
  url: string,
  modulePath: string,
  option: string,
): Promise<ModuleExports> {
  let api: typeof import('tsx/esm/api');
  try {
    api = await import('tsx/esm/api');
  } catch {
    throw new InvalidArgumentError(
      `cannot load ${option} module '${modulePath}': TypeScript modules need tsx (npm install --save-dev tsx), or compile it to .js`,
      option,
    );
  }
  return (await api.tsImport(url, import.meta.url)) as ModuleExports;
}
