/**
 * `baton history <run>`: every version of a run — who wrote it, from which input version, its
 * tag and hash prefix, and when.
 */
import type { Command } from 'commander';
import type { StateSnapshot } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { formatTime, printJson, renderTable } from '../output.js';
import { withSession } from '../session.js';

/** Characters of the hash shown in the table (enough to tell versions apart by eye). */
const HASH_PREFIX = 12;

/** Registers `baton history`. */
export function registerHistory(program: Command, ctx: CliContext): void {
  program
    .command('history')
    .description("list a run's state versions")
    .argument('<run>', 'run id')
    .option('--data', 'also print each version’s materialized state')
    .action(async (runId: string, opts: { data?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const history = await withSession(g, [], ({ rt }) => rt.history(runId), 'read');
      if (g.json) {
        const versions = history.map((s) => (opts.data ? s : withoutData(s)));
        return printJson(ctx.io, { runId, versions });
      }
      const rows = history.map((s) => [
        `v${s.version}`,
        s.step,
        s.createdBy,
        s.inputVersion === null ? '-' : `v${s.inputVersion}`,
        s.tag ?? '-',
        s.hash.slice(0, HASH_PREFIX),
        formatTime(s.createdAt),
      ]);
      ctx.io.out(
        `${renderTable(['VERSION', 'STEP', 'CREATED BY', 'INPUT', 'TAG', 'HASH', 'TIME'], rows, ctx.io.color)}\n`,
      );
      if (opts.data) for (const s of history) ctx.io.out(`\n${dataBlock(s)}\n`);
    });
}

function withoutData(s: StateSnapshot): Omit<StateSnapshot, 'data'> {
  const { data: _data, ...rest } = s;
  return rest;
}

/** A version's materialized state, as indented JSON under a `v3 (score):` heading. */
function dataBlock(s: StateSnapshot): string {
  return `v${s.version} (${s.step}):\n  ${JSON.stringify(s.data, null, 2).replace(/\n/g, '\n  ')}`;
}
