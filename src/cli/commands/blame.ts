/**
 * `baton blame <run> <path> [--at <version>] [--workflows m]`: who set the value at a path of a
 * run's state — the version, the agent@version and step that wrote it, the version it read and
 * the input it was given — following rollbacks and replays back to the write that produced it.
 */
import type { Command } from 'commander';
import type { BlameInput } from '../../index.js';
import { parseVersion } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { library } from '../library.js';
import { type Cell, formatTime, formatValue, printJson, renderFields } from '../output.js';
import { loadWorkflows, withSession } from '../session.js';

interface BlameCliOptions {
  /** `--at`: not `--version`, which is the program's own (print the Baton version). */
  readonly at?: number;
  readonly workflows?: string;
}

/** Registers `baton blame`. */
export function registerBlame(program: Command, ctx: CliContext): void {
  program
    .command('blame')
    .description('show which version, agent and input set the value at a path of a run')
    .argument('<run>', 'run id')
    .argument('<path>', 'a path into the state, like decision.outcome or risk.rationale[0]')
    .option('--at <version>', 'blame the value at this version (default: the latest)', parseVersion)
    .option(
      '--workflows <module>',
      "a module exporting the run's workflow: shows the exact input the agent was given",
    )
    .action(async (runId: string, path: string, opts: BlameCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const workflows = await loadWorkflows(opts.workflows);
      const { blame } = await library();
      const b = await withSession(g, [], ({ rt }) =>
        blame(rt, runId, path, {
          workflows,
          ...(opts.at !== undefined ? { version: opts.at } : {}),
        }),
      );
      if (g.json) return printJson(ctx.io, b);
      const s = b.setBy;
      const elsewhere = s.runId === runId ? '' : ` of run ${s.runId}`;
      const fields: [string, Cell][] = [
        ['set at', `v${s.version}${elsewhere} (step ${s.step}${s.tag ? `, tag ${s.tag}` : ''})`],
        [
          'written by',
          { text: s.createdBy, style: s.createdBy === 'system' ? undefined : 'yellow' },
        ],
        ['read', s.inputVersion === null ? '-' : `v${s.inputVersion}`],
        ['time', formatTime(s.createdAt)],
      ];
      for (const r of b.via)
        fields.push(['via', `v${r.version} of run ${r.runId} (${r.step}, ${r.tag ?? '-'})`]);
      ctx.io.out(
        `${path} at v${b.version} of run ${runId}: ${formatValue(b.value, 200)}\n` +
          `${renderFields(fields, ctx.io.color)}\n${inputText(b.input)}\n`,
      );
    });
}

/** The input, whole and indented: it is what the agent was given (cutting it could hide the culprit). */
function inputText(input: BlameInput): string {
  if (input.kind === 'none') return 'input:      none (the workflow input; no agent read anything)';
  if (input.kind === 'state') {
    const slots = Object.keys(input.value as Record<string, unknown>).join(', ');
    return `input:      pass --workflows <module> to see it (it read v${input.version}: ${slots})`;
  }
  const json = JSON.stringify(input.value, null, 2).replace(/\n/g, '\n  ');
  return `input (the step's selector over v${input.version}):\n  ${json}`;
}
