/**
 * `baton runs [--status <s>] [--workflow <w>] [--limit <n>]`: the newest runs, one per line.
 */
import type { Command } from 'commander';
import type { RunQuery, RunRecord, RunStatus } from '../../index.js';
import { parseLimit, parseStatus } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { type Cell, formatTime, printJson, renderTable, statusStyle } from '../output.js';
import { withSession } from '../session.js';

const DEFAULT_LIMIT = 50;

interface RunsOptions {
  readonly status?: RunStatus;
  readonly workflow?: string;
  readonly limit?: number;
}

/** Registers `baton runs`. */
export function registerRuns(program: Command, ctx: CliContext): void {
  program
    .command('runs')
    .description('list runs, newest first')
    .option('--status <status>', 'only runs in this status', parseStatus)
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--limit <n>', `at most this many runs (default ${DEFAULT_LIMIT})`, parseLimit)
    .action(async (opts: RunsOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const query: RunQuery = {
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.workflow ? { workflow: opts.workflow } : {}),
        limit: opts.limit ?? DEFAULT_LIMIT,
      };
      const runs = await withSession(g, [], ({ rt }) => rt.listRuns(query));
      if (g.json) return printJson(ctx.io, { runs });
      ctx.io.out(`${runsTable(runs, ctx.io.color)}\n`);
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
