/**
 * What every command receives: where to write, the exit code it asks for, and the global options.
 */
import type { Command } from 'commander';
import type { CliIo } from './output.js';
import type { GlobalOptions } from './session.js';

/** One CLI invocation's state (one per `runCli` call; nothing is global). */
export interface CliContext {
  readonly io: CliIo;
  /** The exit code of a command that ends normally but must signal a problem (a broken chain). */
  exitCode: number;
}

/** The global options (`--store`, `--schema`, `--json`, ...) as seen from a subcommand. */
export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{
    store: string;
    json?: boolean;
    as?: string;
    principalKey?: string;
    schema?: string;
  }>();
  const as = o.as ?? process.env.BATON_PRINCIPAL;
  const key = o.principalKey ?? process.env.BATON_PRINCIPAL_KEY;
  const schema = o.schema ?? process.env.BATON_SCHEMA;
  return {
    store: o.store,
    json: o.json === true,
    ...(as ? { as } : {}),
    ...(key ? { principalKey: key } : {}),
    ...(schema ? { schema } : {}),
  };
}
