/**
 * `baton breakers`: the latest state of every circuit breaker, from the transitions recorded in
 * the store (a breaker lives in the runtimes that use it; the store is where the CLI can see it).
 */
import type { Command } from 'commander';
import type { BreakerTransition } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { formatTime, printJson, renderTable, statusStyle } from '../output.js';
import { withSession } from '../session.js';

/** A breaker's latest recorded state. */
export interface BreakerState {
  readonly name: string;
  readonly state: BreakerTransition['to'];
  readonly from: BreakerTransition['from'];
  /** When it entered this state. */
  readonly since: number;
  readonly reason: string;
  /** Transitions recorded for it in all. */
  readonly transitions: number;
}

/** Registers `baton breakers`. */
export function registerBreakers(program: Command, ctx: CliContext): void {
  program
    .command('breakers')
    .description('show the latest recorded state of every circuit breaker')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const records = await withSession(
        g,
        [],
        ({ store }) => store.queryRecords({ kind: 'breaker' }),
        'read',
      );
      const latest = new Map<string, BreakerState>();
      // Oldest first: the last transition seen for a breaker is its current state.
      for (const r of records) {
        const t = r.body as unknown as BreakerTransition;
        const count = (latest.get(r.key)?.transitions ?? 0) + 1;
        latest.set(r.key, {
          name: r.key,
          state: t.to,
          from: t.from,
          since: r.at,
          reason: t.reason,
          transitions: count,
        });
      }
      const breakers = [...latest.values()].sort((a, b) => a.name.localeCompare(b.name));
      if (g.json) return printJson(ctx.io, { breakers });
      const rows = breakers.map((b) => [
        b.name,
        { text: b.state, style: statusStyle(b.state) },
        formatTime(b.since),
        b.from,
        String(b.transitions),
        b.reason,
      ]);
      ctx.io.out(
        `${renderTable(['BREAKER', 'STATE', 'SINCE', 'FROM', 'TRANSITIONS', 'REASON'], rows, ctx.io.color)}\n`,
      );
    });
}
