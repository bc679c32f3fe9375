/**
 * `baton label <run> <step> <score>` records a human label of a step's output, and `baton
 * judges` reports how far each judge agrees with the labels (accuracy and Cohen's kappa), so a
 * team knows whether to trust a judge before it gates handoffs.
 */
import { type Command, InvalidArgumentError as UsageError } from 'commander';
import type { HumanScore, JudgeAgreement } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { type Cell, printJson, renderTable } from '../output.js';
import { withSession } from '../session.js';

interface LabelCliOptions {
  readonly judge?: string;
  readonly note?: string;
}

/** A human score: 'pass', 'fail' or a number in [0, 1]. */
function parseScore(value: string): HumanScore {
  if (value === 'pass' || value === 'fail') return value;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new UsageError("must be 'pass', 'fail' or a number in [0, 1]");
  return n;
}

/** Registers `baton label` and `baton judges`. */
export function registerJudges(program: Command, ctx: CliContext): void {
  program
    .command('label')
    .description("record a human label of a step's output, to calibrate its judges")
    .argument('<run>', 'run id')
    .argument('<step>', 'the step whose output is labelled')
    .argument('<score>', "'pass', 'fail' or a score in [0, 1]", parseScore)
    .option('--judge <name>', 'only for this judge (default: every judge of the step)')
    .option('--note <text>', 'why')
    .action(
      async (
        runId: string,
        step: string,
        score: HumanScore,
        opts: LabelCliOptions,
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const label = await withSession(g, [], ({ rt }) =>
          rt.label(runId, step, score, {
            ...(opts.judge !== undefined ? { judge: opts.judge } : {}),
            ...(opts.note !== undefined ? { note: opts.note } : {}),
          }),
        );
        if (g.json) return printJson(ctx.io, label);
        const what = label.verdict ?? String(label.score);
        const judge = label.judge === null ? 'every judge' : `judge '${label.judge}'`;
        ctx.io.out(`labelled ${runId} step '${step}' ${what} (for ${judge})\n`);
      },
    );
  program
    .command('judges')
    .description("each judge's agreement with the human labels: accuracy and Cohen's kappa")
    .option('--judge <name>', 'only this judge (name or name@version)')
    .action(async (opts: { readonly judge?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const report = await withSession(g, [], ({ rt }) =>
        rt.judges(opts.judge !== undefined ? { judge: opts.judge } : {}),
      );
      if (g.json) return printJson(ctx.io, report);
      if (report.judges.length === 0) {
        ctx.io.out(
          `no labelled judge calls (${report.labels} labels): label steps with 'baton label <run> <step> <pass|fail|score>'\n`,
        );
        return;
      }
      const rows = report.judges.map((j) => row(j));
      const headers = ['JUDGE', 'VERSION', 'LABELLED', 'AGREED', 'ACCURACY', 'KAPPA'];
      const notes = report.judges
        .filter((j) => j.kappaUndefined !== undefined)
        .map((j) => `${j.judge}: kappa undefined: ${j.kappaUndefined}`);
      const tail =
        report.unmatched > 0 ? [`${report.unmatched} labels matched no judge score`] : [];
      ctx.io.out(`${[renderTable(headers, rows, ctx.io.color), ...notes, ...tail].join('\n')}\n`);
    });
}

function row(j: JudgeAgreement): Cell[] {
  const kappa: Cell =
    j.kappa === null
      ? { text: 'undefined', style: 'yellow' }
      : {
          text: j.kappa.toFixed(2),
          style: j.kappa >= 0.6 ? 'green' : j.kappa < 0.2 ? 'red' : undefined,
        };
  return [
    j.name,
    j.version ?? '-',
    String(j.labelled),
    String(j.agreed),
    j.accuracy === null ? '-' : `${(j.accuracy * 100).toFixed(1)}%`,
    kappa,
  ];
}
