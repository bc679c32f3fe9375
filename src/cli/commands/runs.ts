/**
 * `baton runs [--status <s>] [--workflow <w>] [--where k=v]... [--cursor <run>] [--limit <n>]
 * [--follow]`: the newest runs, one per line; `--follow` then prints their events live.
 */
import { type Command, InvalidArgumentError as UsageError } from 'commander';
import type { RunQuery, RunRecord, RunStatus } from '../../index.js';
import { parseLimit, parseStatus } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { follow, parseWherePairs } from '../follow.js';
import { type Cell, formatTime, printJson, renderTable, statusStyle } from '../output.js';
import { withSession } from '../session.js';

const DEFAULT_LIMIT = 50;

interface RunsOptions {
  readonly status?: RunStatus;
  readonly workflow?: string;
  readonly limit?: number;
  readonly where?: string[];
  readonly cursor?: string;
  readonly follow?: boolean;
}

function collectPair(value: string, previous: string[] | undefined): string[] {
  try {
    parseWherePairs([value]);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return [...(previous ?? []), value];
}

/** Registers `baton runs`. */
export function registerRuns(program: Command, ctx: CliContext): void {
  program
    .command('runs')
    .description('list runs, newest first')
    .option('--status <status>', 'only runs in this status', parseStatus)
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--limit <n>', `at most this many runs (default ${DEFAULT_LIMIT})`, parseLimit)
    .option('--where <key=value>', 'only runs with this search attribute (repeatable)', collectPair)
    .option('--cursor <run>', 'the page after this run (the last run id of the previous page)')
    .option('--follow', 'then print the events of matching runs as they happen (Ctrl-C stops)')
    .action(async (opts: RunsOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const where = opts.where ? parseWherePairs(opts.where) : undefined;
      const query: RunQuery = {
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.workflow ? { workflow: opts.workflow } : {}),
        ...(where ? { where } : {}),
        ...(opts.cursor ? { cursor: opts.cursor } : {}),
        limit: opts.limit ?? DEFAULT_LIMIT,
      };
      await withSession(
        g,
        [],
        async ({ rt, store }) => {
          const head = await store.changes.head();
          const runs = await rt.listRuns(query);
          if (g.json) printJson(ctx.io, { runs, nextCursor: runs.at(-1)?.runId ?? null });
          else ctx.io.out(`${runsTable(runs, ctx.io.color)}\n`);
          if (!opts.follow) return;
          const filter = {
            ...(opts.workflow ? { workflow: opts.workflow } : {}),
            ...(where ? { where } : {}),
          };
          await follow(ctx.io, g.json, rt, filter, head);
        },
        'read',
      );
    });
}

/** The runs table (also used by other commands that list runs). */
export function runsTable(runs: readonly RunRecord[], color: boolean): string {
  const rows: Cell[][] = runs.map((r) => [
    r.runId,
    `${r.workflow}@${r.workflowVersion}`,
    { text: r.status, style: statusStyle(r.status) },
    String(r.headVersion),
    formatTime(r.createdAt),
    formatTime(r.updatedAt),
    r.error ? { text: r.error.code, style: 'red' } : '-',
  ]);
  return renderTable(
    ['RUN', 'WORKFLOW', 'STATUS', 'HEAD', 'CREATED', 'UPDATED', 'ERROR'],
    rows,
    color,
  );
}
