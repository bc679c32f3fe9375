/**
 * Human labels of agent calls, and each judge's agreement with them: what `rt.label`,
 * `rt.judges()`, `baton label` and `baton judges` read and write.
 *
 * A label is an aux record `{ kind: 'label', key: '<runId>:<step>', runId, at, body }` in the
 * store's records table (no migration), so it survives restarts and every runtime on the store
 * sees it. A judge's verdicts are the stored evaluation records (written by a runtime traced with
 * `createTracing({ store })`).
 *
 * Invariants:
 * - A label is only recorded for a run that exists and a step that ran in it, with a score in
 *   [0, 1] or a verdict 'pass' / 'fail'; a label naming a judge needs that judge to have scored
 *   the step.
 * - Labels are append-only: the latest label of a (run, step, judge) wins, so a reviewer corrects
 *   a label by labelling again. A label naming a judge wins over one naming none.
 * - A label is compared with the step's committed attempt (the evaluation record carrying a
 *   version), else its last judged attempt.
 * - Both verdicts are taken at the judge's threshold: its `minScore`, else 0.5. A human 'pass' /
 *   'fail' is that verdict at any threshold.
 */
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { Json } from '../ledger/json.js';
import { assertKnownOptions } from '../ledger/known-options.js';
import type { StateStore } from '../ledger/store.js';
import type { AuxRecord } from '../ledger/types.js';
import {
  type AgreementFigures,
  agreementOf,
  confusion,
  type VerdictPair,
} from './judge-agreement.js';

/** The aux record kind of human labels. */
export const LABEL_KIND = 'label';

/** The threshold of a judge with no `minScore`. */
export const DEFAULT_PASS_SCORE = 0.5;

/** A human's verdict on a call: a score in [0, 1] (like a judge's), or pass / fail. */
export type HumanScore = number | 'pass' | 'fail';

/** Options of `rt.label`. */
export interface LabelOptions {
  /** The judge (evaluator name, or `name@version`) the label is for; default: every judge of the step. */
  readonly judge?: string;
  /** Why the reviewer labelled it so. */
  readonly note?: string;
}

const LABEL_OPTION_KEYS = ['judge', 'note'] as const;
const MAX_NOTE_LENGTH = 2_000;

/** A stored human label. */
export interface JudgeLabel {
  readonly runId: string;
  readonly step: string;
  /** The score in [0, 1] (1 for 'pass', 0 for 'fail'). */
  readonly score: number;
  /** Set when the human gave a verdict rather than a score. */
  readonly verdict: 'pass' | 'fail' | null;
  readonly judge: string | null;
  readonly note: string | null;
  readonly at: number;
}

/** Which judges `rt.judges()` reports. */
export interface JudgesQuery {
  /** Only this judge: its evaluator name, or `name@version`. */
  readonly judge?: string;
}

/** One judge (one version of it) against the human labels. */
export interface JudgeAgreement extends AgreementFigures {
  /** The evaluator name as recorded (`name` or `name@version`). */
  readonly judge: string;
  readonly name: string;
  /** The judge's version (`llmJudge({ version })`), null when it has none. */
  readonly version: string | null;
}

/** What `rt.judges()` returns. */
export interface JudgesReport {
  /** One row per judge that scored a labelled step, by judge name then version. */
  readonly judges: readonly JudgeAgreement[];
  /** Labels read (the latest of each run, step and judge). */
  readonly labels: number;
  /** Labels no judge's score could be paired with (the step was not judged, or was pruned). */
  readonly unmatched: number;
}

/** A judge's verdict as the evaluation records keep it. */
interface StoredEvaluation {
  readonly evaluator: string;
  readonly score: number;
  readonly minScore?: number;
}

interface StoredEvaluations {
  readonly step: string;
  readonly attempt: number;
  readonly version: number | null;
  readonly evaluations: readonly StoredEvaluation[];
}

/**
 * Validates and stores a human label.
 * @throws NotFoundError for an unknown run, a step that never ran in it, or a judge that did not
 * score the step; InvalidArgumentError for a bad score or option.
 */
export async function recordLabel(
  store: StateStore,
  now: number,
  runId: string,
  step: string,
  humanScore: HumanScore,
  options: LabelOptions = {},
): Promise<JudgeLabel> {
  const bad = (arg: string, msg: string): never => {
    throw new InvalidArgumentError(`label: ${arg} ${msg}`, arg);
  };
  if (typeof runId !== 'string' || runId === '') bad('runId', 'must be a non-empty string');
  if (typeof step !== 'string' || step === '') bad('step', 'must be a non-empty string');
  const { score, verdict } = parseHumanScore(humanScore);
  if (typeof options !== 'object' || options === null) bad('options', 'must be an object');
  assertKnownOptions(options, LABEL_OPTION_KEYS, 'label');
  const { judge, note } = options;
  if (judge !== undefined && (typeof judge !== 'string' || judge.trim() === ''))
    bad('judge', 'must be a non-empty string');
  if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH))
    bad('note', `must be a string of at most ${MAX_NOTE_LENGTH} characters`);
  if (!(await store.getRun(runId))) throw new NotFoundError('run', runId);
  const journal = await store.readJournal(runId);
  if (!journal.some((j) => j.step === step)) throw new NotFoundError('step', `${runId}:${step}`);
  if (judge !== undefined) {
    const judged = judgedAttempt(await readEvaluations(store, runId), step);
    if (!judged?.evaluations.some((e) => sameJudge(judge, e.evaluator)))
      throw new NotFoundError('judge', `${judge} on ${runId}:${step}`);
  }
  const label: JudgeLabel = {
    runId,
    step,
    score,
    verdict,
    judge: judge ?? null,
    note: note ?? null,
    at: now,
  };
  await store.appendRecords([
    { kind: LABEL_KIND, key: `${runId}:${step}`, runId, at: now, body: label as unknown as Json },
  ]);
  return label;
}

/** A human score as stored: the score, and the verdict when one was given. */
export function parseHumanScore(value: unknown): {
  score: number;
  verdict: 'pass' | 'fail' | null;
} {
  if (value === 'pass') return { score: 1, verdict: 'pass' };
  if (value === 'fail') return { score: 0, verdict: 'fail' };
  if (typeof value === 'number' && value >= 0 && value <= 1) return { score: value, verdict: null };
  throw new InvalidArgumentError(
    `label: humanScore must be a number in [0, 1], 'pass' or 'fail', got ${JSON.stringify(value) ?? String(value)}`,
    'humanScore',
  );
}

/** Each judge's agreement with the human labels in the store (see the module invariants). */
export async function readJudgesReport(
  store: StateStore,
  query: JudgesQuery = {},
): Promise<JudgesReport> {
  if (typeof query !== 'object' || query === null)
    throw new InvalidArgumentError('judges: query must be an object', 'query');
  assertKnownOptions(query, ['judge'], 'judges');
  if (query.judge !== undefined && typeof query.judge !== 'string')
    throw new InvalidArgumentError('judges: judge must be a string', 'judge');
  const labels = latestLabels(await store.queryRecords({ kind: LABEL_KIND }));
  const pairs = new Map<string, VerdictPair[]>();
  const used = new Set<JudgeLabel>();
  const runs = new Map<string, JudgeLabel[]>();
  for (const l of labels) runs.set(l.runId, [...(runs.get(l.runId) ?? []), l]);
  for (const [runId, runLabels] of runs) {
    const records = await readEvaluations(store, runId);
    for (const [step, stepLabels] of groupBy(runLabels, (l) => l.step)) {
      const judged = judgedAttempt(records, step);
      for (const e of judged?.evaluations ?? []) {
        const label = pickLabel(stepLabels, e.evaluator);
        if (!label) continue;
        used.add(label);
        if (query.judge !== undefined && !sameJudge(query.judge, e.evaluator)) continue;
        const threshold = e.minScore ?? DEFAULT_PASS_SCORE;
        const humanPassed = label.verdict ? label.verdict === 'pass' : label.score >= threshold;
        const list = pairs.get(e.evaluator) ?? [];
        list.push({ judgePassed: e.score >= threshold, humanPassed });
        pairs.set(e.evaluator, list);
      }
    }
  }
  const judges = [...pairs]
    .map(([judge, list]) => ({ judge, ...splitJudge(judge), ...agreementOf(confusion(list)) }))
    .sort(
      (a, b) => a.name.localeCompare(b.name) || (a.version ?? '').localeCompare(b.version ?? ''),
    );
  return { judges, labels: labels.length, unmatched: labels.length - used.size };
}

/** `name@version` into its parts (a judge without a version has none). */
export function splitJudge(judge: string): { name: string; version: string | null } {
  const at = judge.lastIndexOf('@');
  return at > 0
    ? { name: judge.slice(0, at), version: judge.slice(at + 1) }
    : { name: judge, version: null };
}

/** True when `wanted` (a name or `name@version`) names the recorded evaluator. */
function sameJudge(wanted: string, evaluator: string): boolean {
  return wanted === evaluator || wanted === splitJudge(evaluator).name;
}

/** The latest label of each run, step and judge, oldest first. */
function latestLabels(records: readonly AuxRecord[]): JudgeLabel[] {
  const latest = new Map<string, JudgeLabel>();
  for (const r of records) {
    const l = r.body as unknown as JudgeLabel;
    const key = JSON.stringify([l.runId, l.step, l.judge]);
    latest.delete(key);
    latest.set(key, l);
  }
  return [...latest.values()];
}

/** The label for one evaluator among a step's labels: its own, else the step's general one. */
function pickLabel(labels: readonly JudgeLabel[], evaluator: string): JudgeLabel | undefined {
  let general: JudgeLabel | undefined;
  let own: JudgeLabel | undefined;
  for (const l of labels) {
    if (l.judge === null) general = l;
    else if (sameJudge(l.judge, evaluator)) own = l;
  }
  return own ?? general;
}

async function readEvaluations(store: StateStore, runId: string): Promise<StoredEvaluations[]> {
  const records = await store.queryRecords({ kind: 'evaluation', runId });
  return records.map((r) => r.body as unknown as StoredEvaluations);
}

/** The step's committed attempt (it carries a version), else its last judged one. */
function judgedAttempt(
  records: readonly StoredEvaluations[],
  step: string,
): StoredEvaluations | undefined {
  let best: StoredEvaluations | undefined;
  for (const r of records) {
    if (r.step !== step || r.evaluations.length === 0) continue;
    const committed = r.version !== null;
    const bestCommitted = best !== undefined && best.version !== null;
    if (
      !best ||
      (committed && !bestCommitted) ||
      (committed === bestCommitted && r.attempt > best.attempt)
    )
      best = r;
  }
  return best;
}

function groupBy<T>(list: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of list) out.set(key(t), [...(out.get(key(t)) ?? []), t]);
  return out;
}
