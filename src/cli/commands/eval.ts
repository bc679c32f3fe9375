/**
 * `baton eval <dataset.jsonl> --workflows <module> [--workflow <name>] [--repeat k]`: runs each
 * case of a dataset through a workflow k times and reports pass@1, pass^k and evaluator (judge)
 * scores, per case and overall. The runs are ordinary runs in the store, traced, so `baton
 * trace` and `baton usage` show them afterwards.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { Workflow } from '../../index.js';
import type { EvalReport } from '../../llm/eval.js';
import { parseLimit } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { type Cell, printJson, renderTable } from '../output.js';
import { loadWorkflows, openStore } from '../session.js';

interface EvalCliOptions {
  readonly workflows: string;
  readonly workflow?: string;
  readonly repeat?: number;
}

/** Registers `baton eval`. */
export function registerEval(program: Command, ctx: CliContext): void {
  program
    .command('eval')
    .description('run a JSONL dataset through a workflow k times: pass@1, pass^k, judge scores')
    .argument('<dataset>', 'a JSONL file: one { "input": ..., "expected"?: ... } per line')
    .requiredOption('--workflows <module>', 'a module exporting the workflow')
    .option('--workflow <name>', 'which exported workflow (needed when it exports several)')
    .option('--repeat <k>', 'runs per case (default 1)', parseLimit)
    .action(async (dataset: string, opts: EvalCliOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      // Loaded when the command runs, so `baton --help` stays light.
      const { createRuntime, createTracing } = await import('../../index.js');
      const { parseDataset, runEval } = await import('../../llm/eval.js');
      const cases = parseDataset(readDataset(dataset));
      const workflows = await loadWorkflows(opts.workflows);
      const workflow = pick(workflows, opts.workflow);
      const store = await openStore(g.store, 'write', g.schema);
      const tracing = createTracing({ store });
      const rt = createRuntime({ store, workflows, resume: false, telemetry: tracing });
      let report: EvalReport;
      try {
        await rt.ready();
        report = await runEval({
          rt,
          store,
          workflow,
          cases,
          repeat: opts.repeat ?? 1,
          flush: () => tracing.flush(),
        });
      } finally {
        await rt.close();
      }
      if (g.json) return printJson(ctx.io, report);
      ctx.io.out(renderReport(report, ctx.io.color));
    });
}

function readDataset(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(
      `cannot read dataset '${path}': ${(e as Error).message}`,
      'dataset',
    );
  }
}

function pick(
  workflows: readonly Workflow<unknown, unknown>[],
  name: string | undefined,
): Workflow<unknown, unknown> {
  const named = name === undefined ? workflows : workflows.filter((w) => w.name === name);
  const names = [...new Set(workflows.map((w) => w.name))].join(', ');
  if (named.length === 0)
    throw new InvalidArgumentError(
      `no workflow '${name}' in the module (it has ${names})`,
      'workflow',
    );
  const latest = [...named].sort((a, b) => b.version - a.version)[0]!;
  if (named.some((w) => w.name !== latest.name))
    throw new InvalidArgumentError(
      `the module exports ${names}: pick one with --workflow`,
      'workflow',
    );
  return latest;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function renderReport(r: EvalReport, color: boolean): string {
  const evaluators = Object.keys(r.scores).sort();
  const rows: Cell[][] = r.cases.map((c) => [
    String(c.index + 1),
    `${c.passed}/${r.repeat}`,
    pct(c.passAt1),
    c.passAll ? { text: 'yes', style: 'green' } : { text: 'no', style: 'red' },
    ...evaluators.map((e) => (c.scores[e] === undefined ? '-' : c.scores[e].toFixed(2))),
    c.failures.length ? { text: [...new Set(c.failures)].join(','), style: 'red' } : '-',
  ]);
  const headers = ['CASE', 'PASSED', 'PASS@1', `PASS^${r.repeat}`, ...evaluators, 'FAILURES'];
  const scores = evaluators.map((e) => `${e} ${r.scores[e]!.toFixed(2)}`).join(', ');
  return [
    renderTable(headers, rows, color),
    `${r.workflow}: ${r.cases.length} cases x ${r.repeat}: pass@1 ${pct(r.passAt1)}, pass^${r.repeat} ${pct(r.passHatK)}${scores ? `, mean scores: ${scores}` : ''}`,
    '',
  ].join('\n');
}
