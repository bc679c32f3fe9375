/**
 * `baton migrate`: brings a store to this release's schema. The read commands open a store
 * read-only and never migrate it, so a store written by an older release is upgraded here (or by
 * any runtime or write command opening it). A SQLite file must exist (the CLI never creates
 * one); a PostgreSQL schema is created when missing, as a runtime would.
 */
import type { Command } from 'commander';
import { isNotABatonStoreError, isStoreSchemaOutdatedError } from '../../errors.js';
import { type CliContext, globalOptions } from '../context.js';
import { printJson } from '../output.js';
import { openStore } from '../session.js';

/** The schema version the store had before: null when it had none (a new PostgreSQL schema). */
async function versionBefore(
  location: string,
  latest: number,
  schema: string | undefined,
): Promise<number | null> {
  const probe = await openStore(location, 'read', schema);
  try {
    await probe.migrate();
    return latest;
  } catch (e) {
    if (isStoreSchemaOutdatedError(e)) return e.storeVersion;
    // Neither a store nor a schema yet: migrate() below creates it, or says why it cannot.
    if (isNotABatonStoreError(e)) return null;
    throw e;
  } finally {
    await probe.close();
  }
}

/** Registers `baton migrate`. */
export function registerMigrate(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description("upgrade the store to this release's schema (read commands never migrate)")
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      // Loaded here, not at the top: every command module is imported at start-up, and the
      // migrations are not needed before a command runs (src/cli/startup.test.ts).
      const { SCHEMA_VERSION } = await import('../../ledger/migrations.js');
      const from = await versionBefore(g.store, SCHEMA_VERSION, g.schema);
      const store = await openStore(g.store, 'write', g.schema);
      try {
        await store.migrate();
      } finally {
        await store.close();
      }
      if (g.json) return printJson(ctx.io, { from, to: SCHEMA_VERSION });
      ctx.io.out(
        from === SCHEMA_VERSION
          ? `already at schema version ${SCHEMA_VERSION}: nothing to do\n`
          : `migrated from schema version ${from ?? 'none'} to ${SCHEMA_VERSION}\n`,
      );
    });
}
