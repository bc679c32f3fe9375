/**
 * `baton lineage <run> <path>`: where a value came from, as a tree of versions (`--json` for
 * the structure). Read off the ledger alone; pass `--workflows` to narrow each step's inputs to
 * the slots it needs (without it, a step is shown as derived from every slot it could read).
 */
import type { Command } from 'commander';
import type { LineageNode } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { printJson } from '../output.js';
import { loadWorkflows, withSession } from '../session.js';

/** Registers `baton lineage`. */
export function registerLineage(program: Command, ctx: CliContext): void {
  program
    .command('lineage')
    .description('where a value came from: versions, agents@versions, contracts, replays')
    .argument('<run>', 'run id')
    .argument('<path>', 'the value, e.g. score.score or decision')
    .option('--workflows <module>', "a module exporting the run's workflow (exact step inputs)")
    .action(async (runId: string, path: string, opts: { workflows?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const workflows = await loadWorkflows(opts.workflows);
      const lineage = await withSession(g, workflows, ({ rt }) => rt.lineage(runId, path), 'read');
      if (g.json) return printJson(ctx.io, lineage);
      ctx.io.out(`${path} of run ${runId} (head v${lineage.version})\n`);
      ctx.io.out(render(lineage.root, '', true, runId).join('\n'));
      ctx.io.out('\n');
    });
}

/** ` — judged in-range 0.2 ✗, sampled 0.75`: each evaluator's score (✗: its gate rejected). */
function scores(n: LineageNode): string {
  if (n.evaluations.length === 0) return '';
  const each = n.evaluations.map((e) => `${e.evaluator} ${e.score}${e.passed ? '' : ' ✗'}`);
  return ` — judged ${each.join(', ')}`;
}

function describe(n: LineageNode, runId: string): string {
  // Versions of another run: a replay fork's parent.
  const where = n.runId === runId ? '' : `run ${n.runId} `;
  const how =
    n.via === 'step'
      ? `by ${n.createdBy}, read v${n.inputVersion}`
      : n.via === 'input'
        ? n.createdBy === 'system'
          ? 'workflow input'
          : `by ${n.createdBy}`
        : `${n.via} (${n.tag ?? ''})`;
  return `${where}v${n.version} ${n.slot}: ${how}${n.contract ? `, contract ${n.contract}` : ''}${scores(n)}`;
}

function render(n: LineageNode, prefix: string, last: boolean, runId: string): string[] {
  const lines = [`${prefix}${last ? '└─ ' : '├─ '}${describe(n, runId)}`];
  const inner = `${prefix}${last ? '   ' : '│  '}`;
  const children = n.children ?? [];
  n.derivedFrom.forEach((c, i) => {
    lines.push(...render(c, inner, i === n.derivedFrom.length - 1 && children.length === 0, runId));
  });
  // A child step's slot: the child runs that produced it, each with its own slots' lineage.
  children.forEach((c, i) => {
    const lastChild = i === children.length - 1;
    lines.push(
      `${inner}${lastChild ? '└─ ' : '├─ '}child run ${c.runId} (${c.workflow}@${c.workflowVersion})`,
    );
    const deeper = `${inner}${lastChild ? '   ' : '│  '}`;
    c.slots.forEach((x, j) => {
      lines.push(...render(x, deeper, j === c.slots.length - 1, runId));
    });
  });
  return lines;
}
