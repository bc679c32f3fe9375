/**
 * `baton usage [--since 24h] [--by agent|model|workflow|run|step] [filters]`: model tokens and
 * cost, read from the spans in the store (runtimes write them with `createTracing({ store })`).
 */
import { type Command, InvalidArgumentError as UsageError } from 'commander';
import type { UsageGroupBy, UsageQuery, UsageRow } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { type Cell, printJson, renderTable } from '../output.js';
import { withSession } from '../session.js';

const GROUPS: readonly UsageGroupBy[] = ['agent', 'model', 'workflow', 'run', 'step'];
const UNITS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

interface UsageCliOptions {
  readonly since?: number;
  readonly by?: UsageGroupBy;
  readonly run?: string;
  readonly workflow?: string;
  readonly agent?: string;
  readonly model?: string;
}

/** A time: a duration back from now (`30m`, `24h`, `7d`) or an ISO date. */
export function parseSince(value: string, now = Date.now()): number {
  const m = /^(\d+)([smhd])$/.exec(value);
  if (m) return now - Number(m[1]) * UNITS[m[2]!]!;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError('must be a duration (30m, 24h, 7d) or an ISO date');
  return t;
}

function parseGroup(value: string): UsageGroupBy {
  if (!(GROUPS as readonly string[]).includes(value))
    throw new UsageError(`must be one of ${GROUPS.join(', ')}`);
  return value as UsageGroupBy;
}

/** Registers `baton usage`. */
export function registerUsage(program: Command, ctx: CliContext): void {
  program
    .command('usage')
    .description(
      'model tokens and cost from the stored spans, by agent, model, workflow, run or step',
    )
    .option('--since <when>', 'only calls since then: 30m, 24h, 7d or an ISO date', (v) =>
      parseSince(v),
    )
    .option('--by <group>', `group by ${GROUPS.join(', ')} (default agent)`, parseGroup)
    .option('--run <id>', 'only this run')
    .option('--workflow <name>', 'only this workflow')
    .option('--agent <name>', 'only this agent (name or name@version)')
    .option('--model <id>', 'only this model')
    .action(async (opts: UsageCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const query: UsageQuery = {
        groupBy: opts.by ?? 'agent',
        ...(opts.since !== undefined ? { since: opts.since } : {}),
        ...(opts.run !== undefined ? { runId: opts.run } : {}),
        ...(opts.workflow !== undefined ? { workflow: opts.workflow } : {}),
        ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
        ...(opts.model !== undefined ? { model: opts.model } : {}),
      };
      const report = await withSession(g, [], ({ rt }) => rt.usage(query), 'read');
      if (g.json) return printJson(ctx.io, report);
      if (report.rows.length === 0) {
        ctx.io.out('no model usage recorded (runtimes record it with createTracing({ store }))\n');
        return;
      }
      const line = (r: UsageRow, bold = false): Cell[] =>
        [
          r.key,
          String(r.runs),
          String(r.calls),
          String(r.inputTokens),
          String(r.outputTokens),
          r.costUsd === null ? '-' : `$${r.costUsd.toFixed(6)}`,
        ].map((text) => (bold ? { text, style: 'bold' as const } : text));
      const rows = [...report.rows.map((r) => line(r)), line(report.total, true)];
      const headers = [report.groupBy.toUpperCase(), 'RUNS', 'CALLS', 'INPUT', 'OUTPUT', 'COST'];
      ctx.io.out(`${renderTable(headers, rows, ctx.io.color)}\n`);
    });
}
