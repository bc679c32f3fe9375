/**
 * `baton erase <subject> [--dry-run | --yes]`: crypto-shredding. Destroys the data subject's
 * encryption key, so every personal field stored under it reads as `[erased]`, while every
 * version and chain stays as it was (`baton verify` still passes). Cannot be undone, so it
 * needs `--yes`; `--dry-run` shows the key it would destroy. Needs no key-encryption key.
 * With `--as`, the principal needs MANAGE; the erasure is audited as `pii.erase`.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import { type CliContext, globalOptions } from '../context.js';
import { formatTime, paint, printJson } from '../output.js';
import { withSession } from '../session.js';

/** Registers `baton erase`. */
export function registerErase(program: Command, ctx: CliContext): void {
  program
    .command('erase')
    .description("destroy a data subject's key: its personal data reads as [erased], chains verify")
    .argument('<subject>', 'the data subject (what piiEncryption.subjectOf returned)')
    .option('--dry-run', 'show what would be erased, change nothing')
    .option('--yes', 'erase (it cannot be undone)')
    .action(async (subject: string, opts: { dryRun?: boolean; yes?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const dryRun = opts.dryRun === true;
      if (!dryRun && opts.yes !== true) {
        throw new InvalidArgumentError(
          'erasing cannot be undone: pass --yes to erase, or --dry-run to see what would be',
          'yes',
        );
      }
      // A dry run only reads: it opens the store read-only, like every read command.
      const result = await withSession(
        g,
        [],
        ({ rt }) => rt.erase(subject, { dryRun }),
        dryRun ? 'read' : 'write',
      );
      if (g.json) return printJson(ctx.io, result);
      const created = formatTime(result.createdAt);
      if (dryRun) {
        ctx.io.out(
          result.erasedAt !== null
            ? `subject ${subject} was erased at ${formatTime(result.erasedAt)}: nothing to erase\n`
            : `would erase subject ${subject}: data key ${result.keyId} (created ${created})\n`,
        );
        return;
      }
      ctx.io.out(
        result.erased
          ? `${paint('erased', 'green', ctx.io.color)}: subject ${subject} (data key ${result.keyId}); its personal data now reads as [erased]\n`
          : `unchanged: subject ${subject} was already erased\n`,
      );
    });
}
