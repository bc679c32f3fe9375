/**
 * `baton replay <run> --from <v> --workflows <module> [--override <step>=<module>#<export>]...`:
 * forks a new run from a version of an existing one (the parent is never touched; the fork
 * records its parent run and version), optionally with other agents for named steps, drives the
 * fork to its next stop, and prints how the fork's latest state differs from the parent's.
 */
import { type Command, InvalidArgumentError as UsageError } from 'commander';
import type { RunRecord, StateChange } from '../../index.js';
import { parseLimit, parseVersion } from '../args.js';
import { renderChanges } from '../changes.js';
import { type CliContext, globalOptions } from '../context.js';
import { DEFAULT_DRIVE_TIMEOUT_MS, printDriven, untilStopped } from '../drive.js';
import { library } from '../library.js';
import { printJson } from '../output.js';
import { loadOverrides, type OverrideSpec, parseOverride } from '../overrides.js';
import { loadWorkflows, withSession } from '../session.js';

interface ReplayCliOptions {
  readonly from: number;
  readonly workflows?: string;
  readonly override?: readonly OverrideSpec[];
  readonly timeout?: number;
}

/** What a replay did: the fork where it stopped, and its state against the parent's. */
interface ReplayOutcome {
  readonly run: RunRecord;
  readonly overrides: Readonly<Record<string, string>>;
  readonly diff: {
    readonly from: { readonly runId: string; readonly version: number };
    readonly to: { readonly runId: string; readonly version: number };
    readonly changes: readonly StateChange[];
  };
}

/** Collects each `--override`, parsed (a malformed one is bad usage: exit 2). */
function collectOverride(value: string, previous: readonly OverrideSpec[] = []): OverrideSpec[] {
  try {
    return [...previous, parseOverride(value)];
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Registers `baton replay`. */
export function registerReplay(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('fork a new run from a version of a run, drive it, and diff it against the run')
    .argument('<run>', 'run id')
    .requiredOption('--from <version>', 'fork from the state at this version', parseVersion)
    .option(
      '--workflows <module>',
      "a module (.js or .ts) exporting the run's workflow (needed to drive the fork)",
    )
    .option(
      '--override <step>=<module>#<export>',
      'run this step (and the steps after it) with another agent; repeatable',
      collectOverride,
    )
    .option(
      '--timeout <ms>',
      `drive for at most this long (default ${DEFAULT_DRIVE_TIMEOUT_MS})`,
      parseLimit,
    )
    .action(async (runId: string, opts: ReplayCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const workflows = await loadWorkflows(opts.workflows);
      const overrides = await loadOverrides(opts.override ?? []);
      const { diffJson } = await library();
      const outcome = await withSession(g, workflows, async ({ rt }): Promise<ReplayOutcome> => {
        const handle = await rt.replay(runId, { fromVersion: opts.from, overrides });
        const run = await untilStopped(rt, handle.id, opts.timeout ?? DEFAULT_DRIVE_TIMEOUT_MS);
        const parent = await rt.getRun(runId);
        const before = await rt.state(runId, parent.headVersion);
        const after = await rt.state(run.runId, run.headVersion);
        return {
          run,
          overrides: Object.fromEntries(Object.entries(overrides).map(([k, a]) => [k, a.id])),
          diff: {
            from: { runId, version: parent.headVersion },
            to: { runId: run.runId, version: run.headVersion },
            changes: diffJson(before.data, after.data),
          },
        };
      });
      if (g.json)
        return printJson(ctx.io, { parentRunId: runId, fromVersion: opts.from, ...outcome });
      const swapped = Object.entries(outcome.overrides).map(([s, id]) => `${s}=${id}`);
      const what = `replayed run ${runId} from v${opts.from} as run ${outcome.run.runId}`;
      printDriven(
        ctx.io,
        swapped.length ? `${what} (with ${swapped.join(', ')})` : what,
        outcome.run,
      );
      const { from, to, changes } = outcome.diff;
      ctx.io.out(`\nfork v${to.version} against run ${runId} v${from.version}:`);
      ctx.io.out(
        changes.length === 0 ? ' no changes\n' : `\n${renderChanges(changes, ctx.io.color)}\n`,
      );
    });
}
