/**
 * `baton diff <run> <a> <b>`: what changed between two versions of a run, leaf path by leaf
 * path, with the old and new values.
 */
import type { Command } from 'commander';
import { parseVersion } from '../args.js';
import { renderChanges } from '../changes.js';
import { type CliContext, globalOptions } from '../context.js';
import { printJson } from '../output.js';
import { withSession } from '../session.js';

/** Registers `baton diff`. */
export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('show path-level changes between two versions of a run')
    .argument('<run>', 'run id')
    .argument('<a>', 'from version', parseVersion)
    .argument('<b>', 'to version', parseVersion)
    .action(async (runId: string, a: number, b: number, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const diff = await withSession(g, [], ({ rt }) => rt.diff(runId, a, b), 'read');
      if (g.json) return printJson(ctx.io, diff);
      if (diff.changes.length === 0) {
        ctx.io.out(`no changes between v${a} and v${b} of run ${runId}\n`);
        return;
      }
      ctx.io.out(`${renderChanges(diff.changes, ctx.io.color)}\n`);
    });
}
