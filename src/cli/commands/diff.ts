/**
 * `baton diff <run> <a> <b>`: what changed between two versions of a run, path by path, with the
 * old and new values.
 */
import type { Command } from 'commander';
import { parseVersion } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { formatValue, printJson, renderTable, type Style } from '../output.js';
import { withSession } from '../session.js';

const KIND_STYLE: Readonly<Record<string, Style>> = {
  added: 'green',
  removed: 'red',
  changed: 'yellow',
};

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
      const diff = await withSession(g, [], ({ rt }) => rt.diff(runId, a, b));
      if (g.json) return printJson(ctx.io, diff);
      if (diff.changes.length === 0) {
        ctx.io.out(`no changes between v${a} and v${b} of run ${runId}\n`);
        return;
      }
      const rows = diff.changes.map((c) => [
        { text: c.kind, style: KIND_STYLE[c.kind] },
        c.path || '(root)',
        formatValue(c.before),
        formatValue(c.after),
      ]);
      ctx.io.out(`${renderTable(['CHANGE', 'PATH', 'BEFORE', 'AFTER'], rows, ctx.io.color)}\n`);
    });
}
