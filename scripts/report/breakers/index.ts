/**
 * Experiment 5, breakers under an outage: calls made to a dead dependency, work wasted waiting
 * on it and time to recover, with and without the breaker, over an outage timeline.
 */
import { generateApplications } from '../../../examples/credit-decisioning/domain/generate.js';
import { FRAUD_BREAKER } from '../../../examples/credit-decisioning/system/agents.js';
import { mdTable } from '../output.js';
import { fmt, showSpread, spreadBy } from '../stats.js';
import type { ExperimentContext, ExperimentResult, Figure, ReportSize, Row } from '../types.js';
import { type OutageRun, runOutage, type Timeline } from './measure.js';

const PLANS: Readonly<Record<ReportSize, { timeline: Timeline; reps: number }>> = {
  full: {
    timeline: { durationMs: 4000, arrivalEveryMs: 10, outageFromMs: 1000, outageToMs: 2500 },
    reps: 3,
  },
  quick: {
    timeline: { durationMs: 3000, arrivalEveryMs: 10, outageFromMs: 800, outageToMs: 2000 },
    reps: 1,
  },
  test: {
    timeline: { durationMs: 1600, arrivalEveryMs: 10, outageFromMs: 300, outageToMs: 900 },
    reps: 1,
  },
};

const BUCKET_MS = 100;
const variant = (breaker: boolean): string => (breaker ? 'with the breaker' : 'without a breaker');

function summary(r: OutageRun, rep: number): Row {
  const dead = r.calls.filter((c) => c.dead);
  return {
    variant: variant(r.breaker),
    rep,
    runs: r.runs,
    fraudCalls: r.calls.length,
    callsToDeadService: dead.length,
    secondsHeldByDeadCalls: dead.reduce((n, c) => n + c.heldMs, 0) / 1000,
    failedRuns: r.failedRuns,
    recoveryMs: r.recoveryMs,
    breakerOpened: r.transitions.filter((x) => x.to === 'open').length,
  };
}

function series(r: OutageRun, t: Timeline, rep: number): Row[] {
  const rows: Row[] = [];
  for (let from = 0; from < t.durationMs; from += BUCKET_MS) {
    const inBucket = r.calls.filter((c) => c.atMs >= from && c.atMs < from + BUCKET_MS);
    rows.push({
      variant: variant(r.breaker),
      rep,
      fromMs: from,
      callsPerSecond: (1000 * inBucket.length) / BUCKET_MS,
      deadCallsPerSecond: (1000 * inBucket.filter((c) => c.dead).length) / BUCKET_MS,
    });
  }
  return rows;
}

/** Intervals where the breaker was not closed, from its transitions. */
function breakerIntervals(r: OutageRun, t: Timeline, rep: number): Row[] {
  const out: Row[] = [];
  let open: { from: number; state: string } | null = null;
  for (const x of r.transitions) {
    if (open)
      out.push({
        variant: variant(r.breaker),
        rep,
        state: open.state,
        fromMs: open.from,
        toMs: x.atMs,
      });
    open = x.to === 'closed' ? null : { from: x.atMs, state: x.to };
  }
  if (open)
    out.push({
      variant: variant(r.breaker),
      rep,
      state: open.state,
      fromMs: open.from,
      toMs: t.durationMs,
    });
  return out;
}

function figure(t: Timeline, calls: Row[], intervals: Row[]): Figure {
  const panel = (breaker: boolean) => {
    const v = variant(breaker);
    return {
      width: 560,
      height: 150,
      title: v,
      layer: [
        {
          data: {
            values: [{ fromMs: t.outageFromMs, toMs: t.outageToMs, what: 'fraud service down' }],
          },
          mark: { type: 'rect', opacity: 0.12, color: '#555555' },
          encoding: { x: { field: 'fromMs', type: 'quantitative' }, x2: { field: 'toMs' } },
        },
        {
          data: { values: intervals.filter((i) => i.variant === v && i.rep === 0) },
          mark: { type: 'rect', opacity: 0.3 },
          encoding: {
            x: { field: 'fromMs', type: 'quantitative' },
            x2: { field: 'toMs' },
            color: {
              field: 'state',
              type: 'nominal',
              title: 'breaker',
              scale: { domain: ['open', 'half-open'], range: ['#d62728', '#ff9f1c'] },
            },
          },
        },
        {
          data: { values: calls.filter((c) => c.variant === v && c.rep === 0) },
          mark: { type: 'line', interpolate: 'step-after', color: '#1f77b4' },
          encoding: {
            x: {
              field: 'fromMs',
              type: 'quantitative',
              title: 'ms since the first application',
              scale: { domain: [0, t.durationMs] },
            },
            y: { field: 'callsPerSecond', type: 'quantitative', title: 'calls/s to fraud' },
          },
        },
      ],
    };
  };
  return {
    name: 'breakers-outage',
    title: 'Calls per second to the failing agent over time',
    caption: `Calls reaching the fraud-detection service per ${BUCKET_MS} ms bucket (as calls per second), one application every ${t.arrivalEveryMs} ms; the service is down from ${t.outageFromMs} to ${t.outageToMs} ms (grey: calls hang until their 150 ms timeout). Shaded: the breaker open (red) or half-open (orange). First repetition.`,
    spec: { vconcat: [panel(true), panel(false)], resolve: { scale: { color: 'shared' } } },
  };
}

/** Runs experiment 5. */
export async function breakersExperiment(ctx: ExperimentContext): Promise<ExperimentResult> {
  const plan = PLANS[ctx.size];
  const t = plan.timeline;
  const apps = generateApplications(Math.ceil(t.durationMs / t.arrivalEveryMs), ctx.seed);
  const runs: Row[] = [];
  const calls: Row[] = [];
  const intervals: Row[] = [];
  for (let rep = 0; rep < plan.reps; rep++) {
    // Alternate which goes first, so drift on the machine hits both alike.
    for (const breaker of rep % 2 === 0 ? [true, false] : [false, true]) {
      ctx.log(`breakers: outage ${variant(breaker)}, rep ${rep + 1}`);
      const r = await runOutage(ctx.tmpDir, apps, t, breaker, ctx.seed, `${breaker}-${rep}`);
      runs.push(summary(r, rep));
      calls.push(...series(r, t, rep));
      intervals.push(...breakerIntervals(r, t, rep));
    }
  }
  const s = (field: string) => spreadBy(runs, (r) => String(r.variant), field);
  const cols = [
    ['callsToDeadService', 'calls to the dead service', 0],
    ['secondsHeldByDeadCalls', 'seconds callers waited on it', 1],
    ['failedRuns', 'runs failed', 0],
    ['recoveryMs', 'first good call after the service was back (ms)', 0],
    ['fraudCalls', 'fraud calls in all', 0],
  ] as const;
  const spreads = Object.fromEntries(cols.map(([f]) => [f, s(f)]));
  const get = (f: string, v: boolean) => spreads[f]?.get(variant(v));
  const med = (f: string, v: boolean) => get(f, v)?.median ?? Number.NaN;
  const md = [
    `Applications arrive every ${t.arrivalEveryMs} ms for ${fmt(t.durationMs / 1000, 1)} s; fraud detection is down from ${t.outageFromMs} to ${t.outageToMs} ms, its calls hanging until the step's 150 ms timeout (2 attempts). With the breaker (the demo's: open after ${FRAUD_BREAKER.failureThreshold} consecutive failures, half-open after ${FRAUD_BREAKER.resetAfterMs} ms, one probe) and with \`breaker: false\` on the fraud step; ${plan.reps} repetition(s), median (min–max). Runs that fail do so at the fraud step, before any side effect.`,
    '',
    mdTable(
      ['', ...cols.map(([, h]) => h)],
      [true, false].map((b) => [
        variant(b),
        ...cols.map(([f, , d]) => {
          const x = get(f, b);
          return x ? showSpread(x, (v) => fmt(v, d)) : '–';
        }),
      ]),
    ),
    '',
    `What the breaker trades: once open it stops calling the dead service (only its probe goes through, every ${FRAUD_BREAKER.resetAfterMs} ms), so far fewer calls reach it and callers stop waiting out timeouts; but only the probe finds out that the service is back, so the first good call came ${fmt(med('recoveryMs', true))} ms after the service was back, against ${fmt(med('recoveryMs', false))} ms without a breaker. ${med('failedRuns', true) > med('failedRuns', false) ? `It also failed more runs (${fmt(med('failedRuns', true))} against ${fmt(med('failedRuns', false))}): applications that arrived after the service was back but before the probe closed the breaker failed fast too.` : `It failed ${fmt(med('failedRuns', true))} runs against ${fmt(med('failedRuns', false))} without.`} The fraud check is mandatory (\`onFailure: 'fail'\`), so both fail the applications that meet the outage, before any side effect; the demo decides them again once the breaker has closed.`,
  ].join('\n');
  return {
    id: 'breakers',
    title: '5. Breakers under an outage',
    data: { runs, calls, intervals },
    figures: [figure(t, calls, intervals)],
    markdown: md,
    headline: [
      `Breakers: during a ${fmt((t.outageToMs - t.outageFromMs) / 1000, 1)} s outage the breaker cut calls to the dead service from ${fmt(med('callsToDeadService', false))} to ${fmt(med('callsToDeadService', true))} and time spent waiting on it from ${fmt(med('secondsHeldByDeadCalls', false), 1)} s to ${fmt(med('secondsHeldByDeadCalls', true), 1)} s, at the cost of a first good call ${fmt(med('recoveryMs', true))} ms after the service was back instead of ${fmt(med('recoveryMs', false))} ms (${fmt(med('failedRuns', true))} runs failed instead of ${fmt(med('failedRuns', false))}).`,
    ],
  };
}
