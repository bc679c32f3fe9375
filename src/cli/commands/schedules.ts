/**
 * `baton schedules list | pause <name> | resume <name> | trigger <name> | delete <name>`: the
 * schedules stored in the store. Needs no workflow code: a trigger is stored and carried out by
 * the next runtime that has the schedule's workflow.
 */
import type { Command } from 'commander';
import { type CliContext, globalOptions } from '../context.js';
import { type Cell, formatTime, printJson, renderTable, statusStyle } from '../output.js';
import { type Session, withSession } from '../session.js';

/** Registers `baton schedules`. */
export function registerSchedules(program: Command, ctx: CliContext): void {
  const schedules = program.command('schedules').description('list and steer stored schedules');
  schedules
    .command('list', { isDefault: true })
    .description('every schedule: its timing, next tick, last run and recent failures')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const list = await withSession(g, [], ({ rt }) => rt.schedules(), 'read');
      if (g.json) return printJson(ctx.io, list);
      if (list.length === 0) return ctx.io.out('no schedules\n');
      const rows: Cell[][] = list.map((s) => [
        s.name,
        `${s.workflow}@${s.workflowVersion}`,
        s.cron ?? `every ${s.everyMs} ms`,
        s.paused ? { text: 'paused', style: 'yellow' } : 'active',
        s.nextAt === null ? '-' : formatTime(s.nextAt),
        s.lastRun
          ? { text: `${s.lastRun.runId} ${s.lastRun.status}`, style: statusStyle(s.lastRun.status) }
          : '-',
        s.recentFailures > 0 ? { text: String(s.recentFailures), style: 'red' } : '0',
      ]);
      ctx.io.out(
        renderTable(
          ['name', 'workflow', 'when', 'state', 'next tick', 'last run', 'failures (last 20)'],
          rows,
          ctx.io.color,
        ),
      );
    });
  const action = (
    name: string,
    description: string,
    run: (rt: Session['rt'], schedule: string) => Promise<unknown>,
    done: (schedule: string, result: unknown) => string,
  ): void => {
    schedules
      .command(name)
      .description(description)
      .argument('<schedule>', 'schedule name')
      .action(async (schedule: string, _opts: unknown, cmd: Command) => {
        const g = globalOptions(cmd);
        const result = await withSession(g, [], ({ rt }) => run(rt, schedule));
        if (g.json) return printJson(ctx.io, { schedule, action: name, result: result ?? null });
        ctx.io.out(`${done(schedule, result)}\n`);
      });
  };
  action(
    'pause',
    'stop firing its ticks',
    (rt, s) => rt.pauseSchedule(s),
    (s) => `schedule ${s} paused`,
  );
  action(
    'resume',
    'fire its ticks again (missed ones are not run)',
    (rt, s) => rt.resumeSchedule(s),
    (s) => `schedule ${s} resumed`,
  );
  action(
    'trigger',
    'run it now (by a runtime that has its workflow)',
    (rt, s) => rt.triggerSchedule(s),
    (s, runId) => `schedule ${s} triggered: run ${String(runId)}`,
  );
  action(
    'delete',
    'delete it (its runs stay)',
    (rt, s) => rt.deleteSchedule(s),
    (s) => `schedule ${s} deleted`,
  );
}
