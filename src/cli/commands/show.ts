/**
 * `baton show <run>`: one run in full — status, times, what it waits for, output or error, its
 * steps (timings, attempts, errors), the breaker transitions during its lifetime and its
 * compensations.
 */
import type { Command } from 'commander';
import type { BreakerTransition, RunRecord, RunStatus, Runtime, StateStore } from '../../index.js';
import { type CliContext, globalOptions } from '../context.js';
import { follow } from '../follow.js';
import { library } from '../library.js';
import {
  type Cell,
  type CliIo,
  formatDuration,
  formatTime,
  formatValue,
  paint,
  printJson,
  renderFields,
  renderTable,
  statusStyle,
} from '../output.js';
import {
  type CompensationSummary,
  type StepSummary,
  summarizeCompensations,
  summarizeSteps,
} from '../run-summary.js';
import { withSession } from '../session.js';

/** Registers `baton show`. */
export function registerShow(program: Command, ctx: CliContext): void {
  program
    .command('show')
    .description('show a run: status, steps, attempts, errors, breaker events, compensations')
    .argument('<run>', 'run id')
    .option('--follow', 'then print the run’s events as they happen, until it ends')
    .action(async (runId: string, opts: { follow?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const { TERMINAL_STATUSES: terminal } = await library();
      await withSession(
        g,
        [],
        async ({ rt, store }) => {
          const head = await store.changes.head();
          const run = await rt.getRun(runId);
          const journal = await rt.journal(runId);
          const view = {
            run,
            steps: inVersionOrder(summarizeSteps(journal)),
            compensations: summarizeCompensations(journal),
            breakerEvents: await breakerEvents(store, run, terminal),
            ...(await links(rt, runId)),
          };
          if (g.json) printJson(ctx.io, view);
          else printView(ctx.io, view, terminal);
          if (opts.follow && !terminal.has(run.status))
            await follow(ctx.io, g.json, rt, runId, head);
        },
        'read',
      );
    });
}

/**
 * Steps in the order of the versions they wrote (the order `history` lists them); steps that
 * wrote none yet (running, failed, waiting) follow, in the order they started.
 */
export function inVersionOrder(steps: readonly StepSummary[]): StepSummary[] {
  const key = (s: StepSummary) => s.version ?? Number.POSITIVE_INFINITY;
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => key(a.s) - key(b.s) || a.i - b.i)
    .map(({ s }) => s);
}

/** Breaker transitions recorded while the run was alive (breakers are per agent, not per run). */
async function breakerEvents(
  store: StateStore,
  run: RunRecord,
  terminal: ReadonlySet<RunStatus>,
): Promise<BreakerTransition[]> {
  const end = terminal.has(run.status) ? run.updatedAt : Number.POSITIVE_INFINITY;
  const records = await store.queryRecords({ kind: 'breaker' });
  return records
    .filter((r) => r.at >= run.createdAt && r.at <= end)
    .map((r) => r.body as unknown as BreakerTransition);
}

/** The run's parent (when a child-workflow step started it) and its child runs. */
async function links(
  rt: Pick<Runtime, 'searchAttributes' | 'children'>,
  runId: string,
): Promise<{ parent: { runId: string; step: string } | null; children: RunRecord[] }> {
  const attrs = await rt.searchAttributes(runId);
  const parent = attrs['baton.parent']
    ? { runId: attrs['baton.parent'], step: attrs['baton.parent.step'] ?? '' }
    : null;
  return { parent, children: await rt.children(runId) };
}

interface RunView {
  readonly run: RunRecord;
  readonly parent: { readonly runId: string; readonly step: string } | null;
  readonly children: readonly RunRecord[];
  readonly steps: readonly StepSummary[];
  readonly compensations: readonly CompensationSummary[];
  readonly breakerEvents: readonly BreakerTransition[];
}

function printView(
  io: CliIo,
  { run, steps, compensations, breakerEvents, parent, children }: RunView,
  terminal: ReadonlySet<RunStatus>,
): void {
  const fields: [string, Cell][] = [
    ['run', run.runId],
    ['workflow', `${run.workflow}@${run.workflowVersion}`],
    ['status', { text: run.status, style: statusStyle(run.status) }],
    ['head version', String(run.headVersion)],
    ['created', formatTime(run.createdAt)],
    ['updated', formatTime(run.updatedAt)],
  ];
  if (terminal.has(run.status))
    fields.push(['duration', formatDuration(run.updatedAt - run.createdAt)]);
  if (run.waitingFor) fields.push(['waiting for', { text: run.waitingFor, style: 'yellow' }]);
  if (run.parentRunId) fields.push(['replay of', `${run.parentRunId} at v${run.parentVersion}`]);
  if (parent) fields.push(['child of', `${parent.runId} (step ${parent.step})`]);
  if (run.output !== null) fields.push(['output', formatValue(run.output, 200)]);
  if (run.error) {
    const where = run.error.step ? ` (step ${run.error.step})` : '';
    fields.push([
      'error',
      { text: `${run.error.code}${where}: ${run.error.message}`, style: 'red' },
    ]);
  }
  const out: string[] = [renderFields(fields, io.color), ''];
  out.push(section('Steps', io.color), stepsTable(steps, io.color));
  const errors = steps.flatMap((s) =>
    s.errors.map((e, i) => `  ${s.step} #${i + 1}: ${e.code}: ${e.message}`),
  );
  if (errors.length) out.push('', section('Errors', io.color), ...errors);
  if (children.length) {
    out.push('', section('Child runs', io.color));
    for (const c of children)
      out.push(
        `  ${c.runId}  ${c.workflow}@${c.workflowVersion}  ${paint(c.status, statusStyle(c.status), io.color)}`,
      );
  }
  if (compensations.length) {
    out.push('', section('Compensations', io.color), compensationsTable(compensations, io.color));
  }
  if (breakerEvents.length) {
    out.push('', section('Breaker events', io.color));
    out.push(
      renderTable(
        ['TIME', 'BREAKER', 'FROM', 'TO', 'REASON'],
        breakerEvents.map((b) => [
          formatTime(b.at),
          b.breaker,
          b.from,
          { text: b.to, style: statusStyle(b.to) },
          b.reason,
        ]),
        io.color,
      ),
    );
  }
  io.out(`${out.join('\n')}\n`);
}

function section(title: string, color: boolean): string {
  return paint(title, 'bold', color);
}

function stepsTable(steps: readonly StepSummary[], color: boolean): string {
  return renderTable(
    ['STEP', 'STATUS', 'STARTED', 'DURATION', 'ATTEMPTS', 'IN', 'OUT', 'LAST ERROR'],
    steps.map((s) => [
      s.step,
      { text: s.status, style: statusStyle(s.status) },
      formatTime(s.startedAt),
      formatDuration(s.durationMs),
      String(s.attempts),
      s.inputVersion === null ? '-' : `v${s.inputVersion}`,
      s.version === null ? '-' : `v${s.version}`,
      s.errors.length ? { text: s.errors.at(-1)!.code, style: 'red' } : '-',
    ]),
    color,
  );
}

function compensationsTable(list: readonly CompensationSummary[], color: boolean): string {
  return renderTable(
    ['STEP', 'STATUS', 'AT', 'DURATION', 'ATTEMPTS', 'LAST ERROR'],
    list.map((c) => [
      c.step,
      { text: c.status, style: statusStyle(c.status) },
      formatTime(c.at),
      formatDuration(c.durationMs),
      String(c.attempts),
      c.errors.length
        ? { text: `${c.errors.at(-1)!.code}: ${c.errors.at(-1)!.message}`, style: 'red' }
        : '-',
    ]),
    color,
  );
}
