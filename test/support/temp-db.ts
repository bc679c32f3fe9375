/**
 * Temporary SQLite files for store tests: one private directory per file, removed on cleanup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh path for a SQLite file, with the function that removes it (and its WAL files). */
export function tempDbPath(label = 'store'): { path: string; remove: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), `baton-${label}-`));
  return {
    path: join(dir, 'baton.db'),
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
