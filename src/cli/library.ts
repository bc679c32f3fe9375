/**
 * The library, loaded on first use. The CLI's own modules import only types from the package
 * root and error classes from `src/errors.ts` (a leaf module), so `baton --help`, a usage error
 * or `--version` never load the runtime; a command loads it when it runs.
 */

/** Baton's public API, imported once (module caching makes later calls free). */
export function library(): Promise<typeof import('../index.js')> {
  return import('../index.js');
}
