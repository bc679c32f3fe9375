/**
 * `baton prune --older-than <days> [--dry-run]`: deletes finished runs past retention, leaving a
 * tombstone for each (see retention/).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import { type CliContext, globalOptions } from '../context.js';
import { printJson } from '../output.js';
import { withSession } from '../session.js';

const DAY_MS = 86_400_000;

/** Registers `baton prune`. */
export function registerPrune(program: Command, ctx: CliContext): void {
  program
    .command('prune')
    .description('delete finished runs older than a number of days, keeping a tombstone of each')
    .requiredOption('--older-than <days>', 'age in days (finished before now minus this)')
    .option('--status <status>', 'only runs that ended with this status')
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .action(
      async (
        opts: { olderThan: string; status?: string; workflow?: string; dryRun?: boolean },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const days = Number(opts.olderThan);
        if (!(Number.isFinite(days) && days >= 0)) {
          throw new InvalidArgumentError(
            `--older-than must be a number of days >= 0, got ${JSON.stringify(opts.olderThan)}`,
            'older-than',
          );
        }
        const dryRun = opts.dryRun === true;
        // A dry run only reads: it opens the store read-only, like every read command.
        const report = await withSession(
          g,
          [],
          ({ rt }) =>
            rt.prune({
              olderThan: days * DAY_MS,
              dryRun,
              ...(opts.status ? { status: opts.status as never } : {}),
              ...(opts.workflow ? { workflow: opts.workflow } : {}),
            }),
          dryRun ? 'read' : 'write',
        );
        if (g.json) return printJson(ctx.io, report);
        const verb = report.dryRun ? 'would prune' : 'pruned';
        ctx.io.out(`${verb} ${report.runIds.length} run(s)\n`);
        for (const id of report.runIds) ctx.io.out(`  ${id}\n`);
      },
    );
}
