/**
 * `baton audit list | verify | checkpoint | keygen`: the store's audit chain and its signed
 * checkpoints. `verify` exits 1 when anything does not verify; a checkpoint that is malformed
 * or signed by another key than `--public-key` is an error (exit 1) before the store is read.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import { type CliContext, globalOptions } from '../context.js';
import { library } from '../library.js';
import { formatTime, formatValue, paint, printJson, renderTable } from '../output.js';
import { withStore } from './governance-session.js';

/** The environment variable holding the checkpoint signing key (PEM) when `--key` is absent. */
export const AUDIT_KEY_ENV = 'BATON_AUDIT_KEY';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${what} '${path}': ${(e as Error).message}`, what);
  }
}

/** Registers `baton audit`. */
export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the audit chain and its signed checkpoints');

  audit
    .command('list')
    .description('audit entries, oldest first')
    .option('--from <seq>', 'first entry', '1')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (opts: { from: string; limit: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const from = Number(opts.from);
      const limit = Number(opts.limit);
      if (!Number.isInteger(from) || from < 1) {
        throw new InvalidArgumentError(
          `--from must be a positive integer, got ${opts.from}`,
          'from',
        );
      }
      if (!Number.isInteger(limit) || limit < 1) {
        throw new InvalidArgumentError(
          `--limit must be a positive integer, got ${opts.limit}`,
          'limit',
        );
      }
      const entries = await withStore(
        g,
        async (store) => (await library()).auditLog(store).entries(from, limit),
        'read',
      );
      if (g.json) return printJson(ctx.io, { entries });
      const rows = entries.map((e) => [
        String(e.seq),
        formatTime(e.at),
        e.principal,
        e.action,
        e.securable,
        { text: e.result, style: e.result === 'ok' ? undefined : ('red' as const) },
        formatValue(e.params, 50),
      ]);
      ctx.io.out(
        `${renderTable(['SEQ', 'AT', 'PRINCIPAL', 'ACTION', 'SECURABLE', 'RESULT', 'PARAMS'], rows, ctx.io.color)}\n`,
      );
    });

  audit
    .command('verify')
    .description('check the audit chain (and, with a checkpoint, every run head it signed)')
    .option('--checkpoint <file>', 'a checkpoint exported by `baton audit checkpoint`')
    .option('--public-key <file>', 'require the checkpoint to be signed by this key (PEM)')
    .action(async (opts: { checkpoint?: string; publicKey?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const checkpoint = opts.checkpoint ? readText(opts.checkpoint, 'checkpoint') : undefined;
      const publicKey = opts.publicKey ? readText(opts.publicKey, 'public key') : undefined;
      const report = await withStore(
        g,
        async (store) =>
          (await library()).auditLog(store).verify({
            ...(checkpoint !== undefined ? { checkpoint, source: opts.checkpoint } : {}),
            ...(publicKey !== undefined ? { publicKey } : {}),
          }),
        'read',
      );
      if (!report.ok) ctx.exitCode = 1;
      if (g.json) return printJson(ctx.io, report);
      const against = report.checkpoint
        ? `, ${report.runs} run heads against checkpoint of ${formatTime(report.checkpoint.at)} (key ${report.checkpoint.keyId.slice(0, 12)})`
        : ' (no checkpoint: a rewritten chain or a recomputed run cannot be seen)';
      if (report.ok) {
        ctx.io.out(
          `${paint('ok', 'green', ctx.io.color)}: ${report.entries} audit entries${against}\n`,
        );
        return;
      }
      ctx.io.out(
        `${paint('TAMPERED', 'red', ctx.io.color)}: ${report.entries} audit entries${against}\n`,
      );
      for (const p of report.problems) {
        const where =
          p.kind === 'run'
            ? `run ${p.runId} version ${p.version}`
            : `${p.kind} entry ${p.seq ?? '?'}`;
        ctx.io.out(`    ${where}: ${p.reason}\n`);
      }
    });

  audit
    .command('checkpoint')
    .description('sign a checkpoint of the audit chain and every run head, and write it out')
    .requiredOption('--out <file>', 'where to write the checkpoint (keep it outside the database)')
    .option('--key <file>', `Ed25519 private key, PEM (default: $${AUDIT_KEY_ENV})`)
    .action(async (opts: { out: string; key?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const key = opts.key ? readText(opts.key, 'key') : process.env[AUDIT_KEY_ENV];
      if (!key) {
        throw new InvalidArgumentError(
          `a signing key is needed: --key <file> or $${AUDIT_KEY_ENV} (create one with baton audit keygen)`,
          'key',
        );
      }
      const cp = await withStore(g, async (store) =>
        (await library()).auditLog(store).checkpoint(key),
      );
      writeFileSync(opts.out, `${JSON.stringify(cp, null, 2)}\n`);
      if (g.json) return printJson(ctx.io, { out: opts.out, ...cp, runs: cp.runCount });
      ctx.io.out(
        `checkpoint written to ${opts.out}: ${cp.auditSize} audit entries, ${cp.runCount} runs, root ${cp.root.slice(0, 16)}…, key ${cp.keyId.slice(0, 12)}\n`,
      );
    });

  audit
    .command('keygen')
    .description('create an Ed25519 key pair for signing checkpoints (<out> and <out>.pub)')
    .requiredOption('--out <file>', 'private key file (the public key goes to <file>.pub)')
    .action(async (opts: { out: string }) => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      writeFileSync(opts.out, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      writeFileSync(`${opts.out}.pub`, publicKey.export({ type: 'spki', format: 'pem' }));
      ctx.io.out(
        `private key: ${opts.out} (keep it off the database host)\npublic key: ${opts.out}.pub\n`,
      );
    });
}
