/**
 * `baton blame <run> <path> [--at <version>] [--workflows m]`: who set the value at a path of a
 * run's state — the version, the agent@version and step that wrote it, the version it read and
 * the input it was given — following rollbacks and replays back to the write that produced it.
 *
 * `baton blame --where k=v <path>` blames the newest run with those search attributes instead,
 * naming the others (one applicant can have a failed run and a completed one).
 */
import { type Command, InvalidArgumentError as UsageError } from 'commander';
import type { BlameInput, Runtime } from '../../index.js';
import { parseVersion } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { parseWherePairs } from '../follow.js';
import { library } from '../library.js';
import { type Cell, formatTime, formatValue, printJson, renderFields } from '../output.js';
import { loadWorkflows, withSession } from '../session.js';

interface BlameCliOptions {
  /** `--at`: not `--version`, which is the program's own (print the Baton version). */
  readonly at?: number;
  readonly workflows?: string;
  readonly where?: string[];
}

/** How many other matching runs `--where` names (newest first) before it says "and more". */
const OTHERS_SHOWN = 10;

function collectPair(value: string, previous: string[] | undefined): string[] {
  try {
    parseWherePairs([value]);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return [...(previous ?? []), value];
}

/** The run `--where` picks: the newest match, plus the next newest (at most OTHERS_SHOWN + 1). */
async function resolveWhere(
  rt: Runtime,
  where: Record<string, string>,
): Promise<{ runId: string; others: string[] }> {
  const { NotFoundError } = await library();
  const runs = await rt.listRuns({ where, limit: OTHERS_SHOWN + 2 });
  const [newest, ...others] = runs.map((r) => r.runId);
  const terms = Object.entries(where)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  if (newest === undefined) throw new NotFoundError('run with', terms);
  return { runId: newest, others };
}

/** The line naming the run `--where` picked and the other matches. */
function matchLine(runId: string, others: readonly string[]): string {
  if (others.length === 0) return `run ${runId} (the only match)\n`;
  const shown = others.slice(0, OTHERS_SHOWN).join(', ');
  const more = others.length > OTHERS_SHOWN ? ', and more (baton runs --where …)' : '';
  return `run ${runId} (the newest match; also: ${shown}${more})\n`;
}

/** Registers `baton blame`. */
export function registerBlame(program: Command, ctx: CliContext): void {
  program
    .command('blame')
    .description('show which version, agent and input set the value at a path of a run')
    .usage('[options] <run> <path>  |  blame [options] --where <key=value> <path>')
    .argument('<run>', 'run id (with --where: the path)')
    .argument('[path]', 'a path into the state, like decision.outcome or risk.rationale[0]')
    .option('--at <version>', 'blame the value at this version (default: the latest)', parseVersion)
    .option(
      '--where <key=value>',
      'blame the newest run with this search attribute instead of a run id (repeatable)',
      collectPair,
    )
    .option(
      '--workflows <module>',
      "a module exporting the run's workflow: shows the exact input the agent was given",
    )
    .action(
      async (first: string, second: string | undefined, opts: BlameCliOptions, cmd: Command) => {
        if (opts.where && second !== undefined)
          return cmd.error('error: pass a run id or --where, not both', { exitCode: 2 });
        if (!opts.where && second === undefined)
          return cmd.error("error: missing required argument 'path'", { exitCode: 2 });
        const path = second ?? first;
        const where = opts.where ? parseWherePairs(opts.where) : undefined;
        const g = globalOptions(cmd);
        const workflows = await loadWorkflows(opts.workflows);
        const { blame } = await library();
        const { b, runId, others } = await withSession(
          g,
          [],
          async ({ rt }) => {
            const picked = where ? await resolveWhere(rt, where) : { runId: first, others: [] };
            const at = opts.at !== undefined ? { version: opts.at } : {};
            return { ...picked, b: await blame(rt, picked.runId, path, { workflows, ...at }) };
          },
          'read',
        );
        if (g.json) return printJson(ctx.io, where ? { ...b, otherRuns: others } : b);
        if (where) ctx.io.out(matchLine(runId, others));
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
        if (b.child) {
          // A child-workflow step set it: name the child run and what in it produced the value.
          const c = b.child;
          const at = c.path === null ? 'its last write' : c.path;
          fields.push([
            'child run',
            `${c.runId} (${c.workflow}): ${at}, v${c.setBy.version} by ${c.setBy.createdBy} (step ${c.setBy.step})`,
          ]);
        }
        ctx.io.out(
          `${path} at v${b.version} of run ${runId}: ${formatValue(b.value, 200)}\n` +
            `${renderFields(fields, ctx.io.color)}\n${inputText(b.input)}\n`,
        );
      },
    );
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
