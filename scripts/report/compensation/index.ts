/**
 * Experiment 3, the cost of compensation: lines of compensation code per agent, the runtime
 * overhead of a saga-enabled workflow when nothing fails, the time to compensate N completed
 * steps, and throughput when 1%, 5%, 20% of runs compensate.
 */
import { mdTable } from '../output.js';
import { fmt, pct, type Spread, showSpread, spread, spreadBy } from '../stats.js';
import type { ExperimentContext, ExperimentResult, Figure, ReportSize, Row } from '../types.js';
import { compensationLines, ledgerVoidLines } from './loc.js';
import {
  approvedApplications,
  measureCompensateN,
  measureOverhead,
  measureRate,
} from './measure.js';

interface Plan {
  readonly overheadRuns: number;
  readonly overheadReps: number;
  readonly chainSteps: readonly number[];
  readonly chainRuns: number;
  readonly rates: readonly number[];
  readonly rateRuns: number;
  readonly rateReps: number;
}

const PLANS: Readonly<Record<ReportSize, Plan>> = {
  full: {
    overheadRuns: 1000,
    overheadReps: 5,
    chainSteps: [1, 5, 20, 100],
    chainRuns: 5,
    rates: [0, 0.01, 0.05, 0.2],
    rateRuns: 1000,
    rateReps: 3,
  },
  quick: {
    overheadRuns: 200,
    overheadReps: 2,
    chainSteps: [1, 20],
    chainRuns: 3,
    rates: [0, 0.2],
    rateRuns: 200,
    rateReps: 1,
  },
  test: {
    overheadRuns: 40,
    overheadReps: 1,
    chainSteps: [3],
    chainRuns: 2,
    rates: [0.2],
    rateRuns: 60,
    rateReps: 1,
  },
};

const overlap = (a: Spread, b: Spread): boolean => a.min <= b.max && b.min <= a.max;

/** Says whether two measurements differ beyond the spread of their repetitions. */
function overlapText(a: Spread, b: Spread, what: string): string {
  const diff = `medians differ by ${pct(a.median / b.median - 1)}`;
  if (a.min === a.max && b.min === b.max)
    return `${what}: one measurement each, ${diff} (no spread to judge it by).`;
  return overlap(a, b)
    ? `${what}: the ranges overlap (${diff}), within the spread of the repetitions on this machine.`
    : `${what}: the ranges do not overlap, ${diff}.`;
}

function figure(rates: readonly Row[]): Figure {
  const s = spreadBy(rates, (r) => String(r.failureRate), 'runsPerSecond');
  const values = [...s].map(([rate, v]) => ({
    rate: 100 * Number(rate),
    median: v.median,
    min: v.min,
    max: v.max,
  }));
  return {
    name: 'compensation-throughput',
    title: 'Throughput vs compensation rate',
    caption:
      'Runs per second of the credit workflow (agents with 1–5 ms simulated latency, 64 runs in flight, SQLite) when a share of the runs fails at its last step and compensates its booking. Points are medians, bars min–max over the repetitions.',
    spec: {
      width: 420,
      height: 260,
      data: { values },
      encoding: { x: { field: 'rate', type: 'quantitative', title: 'runs that compensate (%)' } },
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            y: {
              field: 'median',
              type: 'quantitative',
              title: 'runs per second',
              scale: { zero: true },
            },
          },
        },
        {
          mark: 'rule',
          encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
        },
      ],
    },
  };
}

/** Runs experiment 3. */
export async function compensationExperiment(ctx: ExperimentContext): Promise<ExperimentResult> {
  const plan = PLANS[ctx.size];
  const loc = compensationLines();
  const voidLines = ledgerVoidLines();
  const apps = approvedApplications(
    Math.max(plan.overheadRuns, plan.rateRuns, plan.chainRuns),
    ctx.seed,
  );
  const overhead: Row[] = [];
  for (let rep = 0; rep < plan.overheadReps; rep++) {
    ctx.log(`compensation: overhead with and without compensators, rep ${rep + 1}`);
    overhead.push(...(await measureOverhead(ctx.tmpDir, apps.slice(0, plan.overheadRuns), rep)));
  }
  const chain: Row[] = [];
  for (const n of plan.chainSteps) {
    ctx.log(`compensation: compensating ${n} completed steps`);
    chain.push(...(await measureCompensateN(ctx.tmpDir, apps.slice(0, plan.chainRuns), n, 0)));
  }
  const rates: Row[] = [];
  for (let rep = 0; rep < plan.rateReps; rep++) {
    // A rotating order, so drift on the machine does not always hit the same rate.
    const n = plan.rates.length;
    for (const rate of plan.rates.map((_, k) => plan.rates[(k + rep) % n] as number)) {
      ctx.log(`compensation: ${pct(rate, 0)} of runs compensate, rep ${rep + 1}`);
      rates.push(await measureRate(ctx.tmpDir, apps.slice(0, plan.rateRuns), rate, rep, ctx.seed));
    }
  }
  const oS = spreadBy(overhead, (r) => String(r.workflow), 'runsPerSecond');
  const oU = spreadBy(overhead, (r) => String(r.workflow), 'usPerRun');
  const oC = spreadBy(overhead, (r) => String(r.workflow), 'cpuUsPerRun');
  const withS = oS.get('with compensators') as Spread;
  const withoutS = oS.get('without compensators') as Spread;
  const ratios = [...Array(plan.overheadReps).keys()].map((rep) => {
    const get = (w: string) =>
      Number(overhead.find((r) => r.rep === rep && r.workflow === w)?.runsPerSecond);
    return get('with compensators') / get('without compensators');
  });
  const ratio = spread(ratios);
  const cS = spreadBy(chain, (r) => String(r.steps), 'compensateMs');
  const fS = spreadBy(chain, (r) => String(r.steps), 'forwardMs');
  const rS = spreadBy(rates, (r) => String(r.failureRate), 'runsPerSecond');
  const rC = spreadBy(rates, (r) => String(r.failureRate), 'cpuUsPerRun');
  const compS = spreadBy(rates, (r) => String(r.failureRate), 'compensated');
  const leftBooked = chain.reduce((n, r) => n + Number(r.linesLeftBooked), 0);
  const ledgerProblems = rates.reduce((n, r) => n + Number(r.ledgerProblems), 0);
  const compensatedTotal = rates.reduce((n, r) => n + Number(r.compensated), 0);
  const top = plan.rates[plan.rates.length - 1] ?? 0;
  const withComp = loc.filter((r) => Number(r.compensateLines) > 0);
  const ms = (x: number) => fmt(x, 1);
  const md = [
    `**Compensation code in the reference system** (\`examples/credit-decisioning/system/agents.ts\`, counted with the TypeScript parser): ${withComp.length} of ${loc.length} agents has a compensator — the only one with a side effect that can be undone. Notify's side effect (a message sent) cannot be unsent, so it has none; it runs last for that reason. The compensator calls \`Ledger.voidLine\` (${voidLines} lines in \`ledger.ts\`).`,
    '',
    mdTable(
      ['agent', 'lines of execute', 'lines of compensate'],
      loc.map((r) => [String(r.agent), String(r.executeLines), String(r.compensateLines)]),
    ),
    '',
    `**Overhead when nothing fails**: the report's credit workflow (the demo's agents as pure logic, no simulated latency, so the runtime's own work dominates), ${plan.overheadRuns} approved applications at 64 in flight on SQLite, with and without final approval's \`compensate\`; ${plan.overheadReps} repetition(s), alternating which goes first.`,
    '',
    mdTable(
      ['workflow', 'runs/s', 'wall µs per run', 'CPU µs per run'],
      (['with compensators', 'without compensators'] as const).map((w) => [
        w,
        showSpread(oS.get(w) as Spread, (x) => fmt(x)),
        showSpread(oU.get(w) as Spread, (x) => fmt(x)),
        showSpread(oC.get(w) as Spread, (x) => fmt(x)),
      ]),
    ),
    '',
    `Throughput ratio with/without per repetition: ${showSpread(ratio, (x) => fmt(x, 3))}. ${overlapText(withS, withoutS, 'Throughput')} ${overlapText(oC.get('with compensators') as Spread, oC.get('without compensators') as Spread, 'CPU time per run')} CPU µs per run is this process's CPU time (all threads, SQLite's included) per run, less sensitive to the other work on a shared machine than wall time. The runtime consults compensators only when a run fails (\`failRun\` in the run driver), so the happy path does the same work with or without them.`,
    '',
    `**Time to compensate N completed steps**: a chain of N final-approval steps (each books its own line), then notify, which fails (one attempt); ${plan.chainRuns} runs per N, one at a time. "Compensation" is from the failure to the run's end (\`compensated\`): N compensations in reverse order, each journaled, then the final version.`,
    '',
    mdTable(
      [
        'completed steps',
        'forward (ms)',
        'compensation (ms)',
        'per compensated step (ms)',
        'lines left booked',
      ],
      plan.chainSteps.map((n) => {
        const c = cS.get(String(n)) as Spread;
        return [
          String(n),
          showSpread(fS.get(String(n)) as Spread, ms),
          showSpread(c, ms),
          fmt(c.median / n, 2),
          String(
            chain.filter((r) => r.steps === n).reduce((k, r) => k + Number(r.linesLeftBooked), 0),
          ),
        ];
      }),
    ),
    '',
    `**Throughput when runs compensate**: the credit workflow (agents with 1–5 ms simulated latency), ${plan.rateRuns} approved applications at 64 in flight; a share of them has an undeliverable notification, so their run fails at the last step and the saga voids their booking; ${plan.rateReps} repetition(s). After each set the ledger is checked against the runs (\`checkLedger\`): every completed approval has exactly one booked line, no failed run keeps one.`,
    '',
    mdTable(
      [
        'runs that fail at notify',
        'runs/s',
        'CPU µs per run',
        'compensated runs',
        'ledger problems',
      ],
      plan.rates.map((r) => [
        pct(r, 0),
        showSpread(rS.get(String(r)) as Spread, (x) => fmt(x)),
        showSpread(rC.get(String(r)) as Spread, (x) => fmt(x)),
        showSpread(compS.get(String(r)) as Spread, (x) => fmt(x)),
        String(
          rates
            .filter((x) => x.failureRate === r)
            .reduce((k, x) => k + Number(x.ledgerProblems), 0),
        ),
      ]),
    ),
    '',
    `${pct(top, 0)} of runs compensating against ${pct(plan.rates[0] ?? 0, 0)}. ${overlapText(rS.get(String(top)) as Spread, rS.get(String(plan.rates[0])) as Spread, 'Throughput')} ${overlapText(rC.get(String(top)) as Spread, rC.get(String(plan.rates[0])) as Spread, 'CPU time per run')} A compensating run does more work than a completed one (its failed notify attempts, its compensation and its final version), and the rate of such runs scales that cost.`,
  ].join('\n');
  const topS = rS.get(String(top));
  const lastSteps = plan.chainSteps[plan.chainSteps.length - 1] ?? 0;
  return {
    id: 'compensation',
    title: '3. The cost of compensation',
    data: { lines: loc, overhead, chain, rates },
    figures: [figure(rates)],
    markdown: md,
    headline: [
      `Compensation: the reference system needs ${withComp.reduce((n, r) => n + Number(r.compensateLines), 0)} line of compensation code (${withComp.length} agent of ${loc.length}) plus ${voidLines} in the ledger; nothing failing, CPU time per run was ${showSpread(oC.get('with compensators') as Spread, (x) => fmt(x))} µs with compensators against ${showSpread(oC.get('without compensators') as Spread, (x) => fmt(x))} µs without; compensating ${fmt(lastSteps)} completed steps took ${ms(cS.get(String(lastSteps))?.median ?? Number.NaN)} ms; with ${pct(top, 0)} of runs compensating, ${topS ? showSpread(topS, (x) => fmt(x)) : '–'} runs/s against ${showSpread(rS.get(String(plan.rates[0])) as Spread, (x) => fmt(x))} at ${pct(plan.rates[0] ?? 0, 0)} (medians, min–max); ${compensatedTotal + chain.length} compensated runs left ${leftBooked + ledgerProblems} side effects behind.`,
    ],
  };
}
