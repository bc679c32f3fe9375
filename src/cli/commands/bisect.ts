/**
 * `baton bisect <run> --where <path> <op> <value>`: the first version of a run where a condition
 * on its state holds (binary search; the condition must stay true once it becomes true). The
 * condition is parsed, never evaluated as code.
 */
import type { Command } from 'commander';
import type { InvalidArgumentError } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { formatTime, formatValue, printJson, renderFields } from '../output.js';
import { withSession } from '../session.js';
import {
  describeWhere,
  matchWhere,
  parseWhere,
  readPath,
  WHERE_OPS,
  type WhereClause,
} from '../where.js';

/** Registers `baton bisect`. */
export function registerBisect(program: Command, ctx: CliContext): void {
  program
    .command('bisect')
    .description('find the first version where a condition on the state holds')
    .argument('<run>', 'run id')
    .requiredOption(
      '--where <terms...>',
      `the condition, three words: a path like risk.rating, an operator (${WHERE_OPS.join(' ')}), and a value (JSON, else a string)`,
    )
    .action(async (runId: string, opts: { where: string[] }, cmd: Command) => {
      let clause: WhereClause;
      try {
        clause = parseWhere(opts.where);
      } catch (e) {
        const bad = (e as InvalidArgumentError).argument;
        return cmd.error(
          `error: invalid --where: ${(e as Error).message} (offending argument '${bad}')`,
          {
            exitCode: 2,
            code: 'baton.invalidWhere',
          },
        );
      }
      const g = globalOptions(cmd);
      const where = {
        path: clause.path,
        op: clause.op,
        ...(clause.op === 'exists' ? {} : { value: clause.value }),
      };
      const found = await withSession(
        g,
        [],
        ({ rt }) => rt.bisect(runId, (snap) => matchWhere(clause, snap.data)),
        'read',
      );
      // No version matches: the search failed, so the exit code says so (1), as `verify` does.
      if (!found) ctx.exitCode = 1;
      if (g.json) {
        return printJson(ctx.io, {
          runId,
          where,
          found: found !== undefined,
          ...(found ? { version: found.version, snapshot: found } : {}),
        });
      }
      if (!found) {
        ctx.io.err(`no version of run ${runId} where ${describeWhere(clause)}\n`);
        return;
      }
      const fields = [
        ['first version', `v${found.version}`],
        ['step', found.step],
        ['created by', found.createdBy],
        ['input version', found.inputVersion === null ? '-' : `v${found.inputVersion}`],
        ['tag', found.tag ?? '-'],
        ['time', formatTime(found.createdAt)],
        ['value', formatValue(readPath(found.data, clause.segments), 200)],
      ] as const;
      ctx.io.out(
        `${describeWhere(clause)} first holds at:\n${renderFields(fields, ctx.io.color)}\n`,
      );
    });
}
