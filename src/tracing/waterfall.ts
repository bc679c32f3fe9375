/**
 * Renders a run's trace as a terminal waterfall: one line per span with its name indented by
 * depth, a bar on a shared time axis, its duration, its status, and the facts that matter when
 * debugging (state versions in → out, attempt, tokens, evaluations, error), then one line per
 * notable event (retry, contract violation, breaker transition, wait).
 *
 * Invariants:
 * - Pure: the same spans and options always give the same text; no colour codes, so the text
 *   can be piped, diffed and asserted on.
 * - Every span gets a bar of at least one cell, even one too short to see on the axis.
 */
import { InvalidArgumentError } from '../errors.js';
import { TRACE_NAMES, type TraceEvent, type TraceSpan } from './stored-span.js';

/** Options of {@link renderWaterfall}. */
export interface WaterfallOptions {
  /** Target line width for names and bars (default 100, at least 40); details may run past it. */
  readonly width?: number;
  /** Draw bars with ASCII only (default false: block characters). */
  readonly ascii?: boolean;
}

const SHOWN_EVENTS = new Set<string>([
  TRACE_NAMES.retry,
  TRACE_NAMES.contractViolation,
  TRACE_NAMES.breakerTransition,
  TRACE_NAMES.evaluation,
  TRACE_NAMES.legacyEvaluation,
  'wait.started',
]);

/**
 * Renders spans (as returned by `readTrace`) as a text waterfall.
 * @throws InvalidArgumentError when `width` is not an integer of at least 40.
 * @example
 * console.log(renderWaterfall(await readTrace(store, runId), { width: process.stdout.columns }));
 */
export function renderWaterfall(
  spans: readonly TraceSpan[],
  options: WaterfallOptions = {},
): string {
  const width = options.width ?? 100;
  if (!Number.isInteger(width) || width < 40)
    throw new InvalidArgumentError(`width must be an integer >= 40, got ${String(width)}`, 'width');
  if (spans.length === 0) return 'no spans recorded for this run\n';
  // reduce, not Math.min(...spread): a long trace would exceed the argument limit.
  const t0 = spans.reduce((m, s) => Math.min(m, s.start), Number.POSITIVE_INFINITY);
  const t1 = spans.reduce((m, s) => Math.max(m, s.end), Number.NEGATIVE_INFINITY);
  const total = Math.max(t1 - t0, 1e-6);
  const labels = spans.map(label);
  const longest = labels.reduce((m, l) => Math.max(m, l.length), 0);
  const labelW = Math.min(longest, Math.floor(width * 0.4));
  const barW = Math.max(10, width - labelW - 18);
  const full = options.ascii ? '#' : '█';
  // A skipped step did no work: its bar is drawn light, so it never reads as a call.
  const light = options.ascii ? '.' : '░';
  const lines: string[] = [];
  const first = spans[0]!;
  lines.push(
    `trace of run ${first.runId}: ${spans.length} spans, ${formatDuration(t1 - t0)}, ` +
      `started ${new Date(t0).toISOString()}`,
  );
  const axisEnd = formatDuration(total);
  lines.push(
    `${''.padEnd(labelW)} 0${axisEnd.padStart(barW - 1)}`,
    `${''.padEnd(labelW)} ${(options.ascii ? '|' : '┬').padEnd(barW - 1, options.ascii ? '-' : '─')}${options.ascii ? '|' : '┬'}`,
  );
  spans.forEach((s, i) => {
    const from = Math.min(barW - 1, Math.floor(((s.start - t0) / total) * barW));
    const to = Math.max(from + 1, Math.min(barW, Math.ceil(((s.end - t0) / total) * barW)));
    const fill = isSkippedStep(s) ? light : full;
    const bar = ' '.repeat(from) + fill.repeat(to - from) + ' '.repeat(barW - to);
    const name = fitLabel(labels[i]!, labelW);
    const duration = formatDuration(s.end - s.start).padStart(8);
    const status = (s.status === 'unset' ? '-' : s.status).padEnd(5);
    const details = describe(s);
    lines.push(`${name} ${bar} ${duration} ${status}${details ? ` ${details}` : ''}`.trimEnd());
    for (const e of s.events) {
      if (SHOWN_EVENTS.has(e.name))
        lines.push(`${' '.repeat(2 * s.depth + 2)}↳ ${describeEvent(e)}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

function label(s: TraceSpan): string {
  const attempt = s.attributes[TRACE_NAMES.attempt];
  const suffix = s.kind === 'attempt' && attempt !== undefined ? ` #${String(attempt)}` : '';
  return `${'  '.repeat(s.depth)}${s.name}${suffix}`;
}

function fitLabel(text: string, w: number): string {
  return text.length <= w ? text.padEnd(w) : `${text.slice(0, w - 1)}…`;
}

function isSkippedStep(s: TraceSpan): boolean {
  return s.kind === 'step' && s.attributes[TRACE_NAMES.outcome] === 'skipped';
}

/** The facts of one span, in the order a reader scans them. */
function describe(s: TraceSpan): string {
  const a = s.attributes;
  const parts: string[] = [];
  const vin = a[TRACE_NAMES.versionIn];
  const vout = a[TRACE_NAMES.versionOut];
  const outcome = a[TRACE_NAMES.outcome];
  // A skipped step read nothing: it only wrote its skipped marker.
  const skipped = isSkippedStep(s);
  if (skipped) parts.push(`skipped${vout !== undefined ? ` (marker v${vout})` : ''}`);
  // Attempts share their step's input version and write none themselves.
  else if (s.kind !== 'attempt' && (vin !== undefined || vout !== undefined))
    parts.push(`v${vin ?? '?'}→${vout !== undefined ? `v${vout}` : '-'}`);
  if (s.kind === 'run' && a[TRACE_NAMES.runStatus] !== undefined)
    parts.push(String(a[TRACE_NAMES.runStatus]));
  if (outcome !== undefined && outcome !== 'succeeded' && !skipped) parts.push(String(outcome));
  if (s.kind === 'step' && a['baton.agent'] !== undefined)
    parts.push(`${String(a['baton.agent'])}@${String(a['baton.agent.version'] ?? '?')}`);
  const model = a[TRACE_NAMES.model];
  const tin = a[TRACE_NAMES.inputTokens] ?? a[TRACE_NAMES.totalInputTokens];
  const tout = a[TRACE_NAMES.outputTokens] ?? a[TRACE_NAMES.totalOutputTokens];
  if (tin !== undefined || tout !== undefined)
    parts.push(`tokens ${tin ?? 0}/${tout ?? 0}${model !== undefined ? ` ${String(model)}` : ''}`);
  const code = a[TRACE_NAMES.errorCode];
  if (code !== undefined) parts.push(`${String(code)}: ${truncate(s.statusMessage ?? '', 100)}`);
  return parts.join('  ');
}

function describeEvent(e: TraceEvent): string {
  const a = e.attributes;
  switch (e.name) {
    case TRACE_NAMES.retry:
      return `retry: attempt ${String(a[TRACE_NAMES.attempt])}`;
    case TRACE_NAMES.contractViolation:
      return `contract violation ${String(a['baton.contract.id'] ?? '?')} (${String(a['baton.contract.boundary'] ?? '?')}): ${truncate(String(a['baton.contract.issues'] ?? ''), 100)}`;
    case TRACE_NAMES.breakerTransition:
      return `breaker ${String(a['baton.breaker'])}: ${String(a['baton.breaker.from'])} → ${String(a['baton.breaker.to'])} (${truncate(String(a['baton.breaker.reason'] ?? ''), 80)})`;
    case TRACE_NAMES.evaluation:
    case TRACE_NAMES.legacyEvaluation: {
      // Spans stored before the GenAI name carry the verdict under Baton's own attribute names.
      const name = a['gen_ai.evaluation.name'] ?? a['baton.evaluator'];
      const score = a['gen_ai.evaluation.score.value'] ?? a['baton.evaluation.score'];
      const min = a['baton.evaluation.min_score'];
      const verdict = a['baton.evaluation.passed'] === false ? 'REJECTED' : 'passed';
      return `evaluation ${String(name)}: ${String(score)}${min !== undefined ? ` (min ${String(min)})` : ''} ${verdict}`;
    }
    default:
      return `${e.name} ${Object.entries(a)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')}`.trimEnd();
  }
}

function truncate(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

/** Formats milliseconds for humans: 0.42ms, 12.3ms, 1.23s, 2m03s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms < 100 ? ms.toFixed(1) : Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}
