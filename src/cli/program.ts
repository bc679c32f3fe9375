/**
 * The `baton` command line: global options, the commands, and how outcomes become exit codes.
 *
 * Exit codes:
 * - 0: done (also `--help` and `--version`);
 * - 1: the command could not do what was asked (unknown run, broken chain, not a Baton store,
 *   a store that is too new, a missing store file, ...): one line on stderr says why;
 * - 2: bad usage (unknown option or command, missing or malformed argument): the error, naming
 *   the offending argument, then the usage, on stderr.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { isWorkflowNotRegisteredError } from '../errors.js';
import { registerBisect } from './commands/bisect.js';
import { registerBlame } from './commands/blame.js';
import { registerBreakers } from './commands/breakers.js';
import { registerCancel } from './commands/cancel.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerDemo } from './commands/demo.js';
import { registerDiff } from './commands/diff.js';
import { registerEval } from './commands/eval.js';
import { registerEvents } from './commands/events.js';
import { registerGovernance } from './commands/governance.js';
import { registerHistory } from './commands/history.js';
import { registerJudges } from './commands/judges.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPrune } from './commands/prune.js';
import { registerReplay } from './commands/replay.js';
import { registerRollback } from './commands/rollback.js';
import { registerRuns } from './commands/runs.js';
import { registerSchedules } from './commands/schedules.js';
import { registerShow } from './commands/show.js';
import { registerSignal } from './commands/signal.js';
import { registerTrace } from './commands/trace.js';
import { registerUsage } from './commands/usage.js';
import { registerVerify } from './commands/verify.js';
import { registerWorker } from './commands/worker.js';
import type { CliContext } from './context.js';
import { jsonFailure, jsonUsage, wantsJson } from './error-output.js';
import type { CliIo } from './output.js';
import { DEFAULT_STORE } from './session.js';
import { terminalSafe } from './terminal-safe.js';

/** Exit code of a command that failed. */
export const EXIT_FAILURE = 1;
/** Exit code of bad usage. */
export const EXIT_USAGE = 2;

/** The package version, read from the package.json next to src/ or dist/. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/**
 * Builds the `baton` program writing to `ctx.io`. With `jsonErrors`, usage errors are written as
 * JSON (and without the usage text after them).
 */
export function createProgram(ctx: CliContext, jsonErrors = false): Command {
  const program = new Command('baton')
    .description('Inspect, debug and steer Baton runs in a store')
    .version(packageVersion(), '-V, --version', 'print the baton version')
    .addOption(
      new Option('--store <path>', 'the store: a SQLite file or a postgres:// URL').default(
        DEFAULT_STORE,
      ),
    )
    .option(
      '--schema <name>',
      "with a postgres:// store: the schema holding Baton's tables (default baton; $BATON_SCHEMA)",
    )
    .option('--json', 'machine-readable JSON output')
    .option(
      '--as <principal>',
      'act as this principal: privileges checked, PII masked ($BATON_PRINCIPAL)',
    )
    .option(
      '--principal-key <file>',
      "the principal's Ed25519 private key, if it has one ($BATON_PRINCIPAL_KEY)",
    )
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(jsonErrors ? jsonUsage(s) : s),
    })
    .showHelpAfterError(!jsonErrors)
    .exitOverride();
  registerRuns(program, ctx);
  registerShow(program, ctx);
  registerHistory(program, ctx);
  registerDiff(program, ctx);
  registerTrace(program, ctx);
  registerReplay(program, ctx);
  registerBisect(program, ctx);
  registerBlame(program, ctx);
  registerVerify(program, ctx);
  registerBreakers(program, ctx);
  registerSignal(program, ctx);
  registerCancel(program, ctx);
  registerRollback(program, ctx);
  registerEvents(program, ctx);
  registerWorker(program, ctx);
  registerDashboard(program, ctx);
  registerDemo(program, ctx);
  registerUsage(program, ctx);
  registerEval(program, ctx);
  registerJudges(program, ctx);
  registerGovernance(program, ctx);
  registerSchedules(program, ctx);
  registerPrune(program, ctx);
  registerMigrate(program, ctx);
  return program;
}

/** The one line printed for a command that failed. */
function failureMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (isWorkflowNotRegisteredError(e))
    return `${message}; pass --workflows <module> with a module that exports it`;
  return message;
}

/**
 * Runs the CLI on `argv` (without the node and script paths) and returns the exit code.
 * Never throws: every failure is reported on `io.err`.
 */
export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Store data printed by any command can never drive the terminal (see terminal-safe.ts).
  const io = terminalSafe(rawIo);
  const ctx: CliContext = { io, exitCode: 0 };
  const json = wantsJson(argv);
  const program = createProgram(ctx, json);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every other commander error is bad usage, already printed.
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    io.err(json ? jsonFailure(e, failureMessage(e)) : `error: ${failureMessage(e)}\n`);
    return EXIT_FAILURE;
  }
}
