/**
 * The scripted investigations of experiment 4: for each planted bug, the `baton` commands an
 * engineer types, from the complaint to the culprit, run against the prepared database. Each
 * command is the CLI itself (`runCli`, what the `baton` binary runs) with `--json`, so the
 * script reads the same answer a person reads in the table; each investigation then checks
 * that what it concluded is what was planted.
 */

import type { RunRecord, StateDiff, StateSnapshot } from 'baton-runtime';
import Database from 'better-sqlite3';
import { runCli } from '../../../src/cli/program.js';
import type { PlantedBugs } from './prepare.js';

/** One command typed. */
export interface Typed {
  readonly command: string;
  readonly ms: number;
}

/** One investigation's outcome. */
export interface Investigation {
  readonly bug: string;
  readonly complaint: string;
  readonly commands: readonly Typed[];
  readonly culprit: string;
  /** The conclusion matches what was planted. */
  readonly found: boolean;
}

class Shell {
  readonly typed: Typed[] = [];
  constructor(private readonly store: string) {}

  /** Runs `baton <args> --store <db> --json` and parses its output. */
  async baton<T>(args: readonly string[], shown = `baton ${args.join(' ')}`): Promise<T> {
    let out = '';
    let err = '';
    const t = performance.now();
    const code = await runCli(['--store', this.store, '--json', ...args], {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
      color: false,
    });
    this.typed.push({ command: shown, ms: performance.now() - t });
    if (code !== 0) throw new Error(`${shown} exited ${code}: ${err}`);
    return JSON.parse(out) as T;
  }

  /** `baton runs --json` filtered to one applicant (what `| jq` does at the prompt). */
  async runsOf(applicantId: string): Promise<RunRecord[]> {
    const { runs } = await this.baton<{ runs: RunRecord[] }>(
      ['runs', '--workflow', 'credit-decision', '--limit', '10000'],
      `baton runs --workflow credit-decision --limit 10000 --json | jq '.runs[] | select(.output.applicantId == "${applicantId}")'`,
    );
    return runs.filter(
      (r) => (r.output as { applicantId?: string } | null)?.applicantId === applicantId,
    );
  }
}

type Data = Record<string, Record<string, unknown> | undefined>;

async function staleRead(db: string, bug: PlantedBugs['staleRead']): Promise<Investigation> {
  const sh = new Shell(db);
  const [run] = await sh.runsOf(bug.applicantId);
  if (!run) throw new Error(`no run for ${bug.applicantId}`);
  // Which version first holds a risk rating, who wrote it, from what?
  const b = await sh.baton<{ found: boolean; snapshot?: StateSnapshot<Data> }>([
    'bisect',
    run.runId,
    '--where',
    'risk.rating',
    'exists',
  ]);
  const snap = b.snapshot;
  if (!snap) throw new Error('bisect found no rating');
  // What that version added, next to what its input version already held.
  const diff = await sh.baton<StateDiff>([
    'diff',
    run.runId,
    String(snap.inputVersion ?? 1),
    String(snap.version),
  ]);
  const rated = Number(snap.data.risk?.creditScore);
  const scored = Number(snap.data.score?.score);
  // The diff confirms the rating's score arrived with the risk step itself, not from an input.
  const added = diff.changes.find((c) => c.kind === 'added' && c.path.startsWith('risk'));
  const addedScore = Number(
    (added?.after as { creditScore?: number } | undefined)?.creditScore ??
      (added?.path === 'risk.creditScore' ? added.after : Number.NaN),
  );
  return {
    bug: 'stale read',
    complaint: `${bug.applicantId} was rated ${String(snap.data.risk?.rating)}; their credit score says otherwise`,
    commands: sh.typed,
    culprit: `${snap.createdBy} rated on score ${rated} while its input version v${snap.inputVersion} held ${scored}: it read the score from somewhere other than its input (a stale read)`,
    found: snap.createdBy === bug.agent && rated !== scored && addedScore === rated,
  };
}

async function buggyVersion(db: string, bug: PlantedBugs['buggyVersion']): Promise<Investigation> {
  const sh = new Shell(db);
  const [run] = await sh.runsOf(bug.applicantId);
  if (!run) throw new Error(`no run for ${bug.applicantId}`);
  // Did anything fail or retry? (An infrastructure problem would show here.)
  const shown = await sh.baton<{ steps: { step: string; attempts: number; errors: unknown[] }[] }>([
    'show',
    run.runId,
  ]);
  const clean = shown.steps.every((s) => s.attempts <= 1 && s.errors.length === 0);
  // Who wrote the decision, and from what rating?
  const h = await sh.baton<{ versions: StateSnapshot<Data>[] }>(['history', run.runId, '--data']);
  const decision = h.versions.find((v) => v.step === 'decision');
  const rating = decision?.data.risk?.rating;
  const outcome = decision?.data.decision?.outcome;
  return {
    bug: 'buggy agent version',
    complaint: `${bug.applicantId} was approved; a borderline applicant should have been referred`,
    commands: sh.typed,
    culprit: `${decision?.createdBy} approved a rating-${String(rating)} applicant (rule: D is referred); every step ran once without errors`,
    found: decision?.createdBy === bug.agent && rating === 'D' && outcome === 'approve' && clean,
  };
}

async function lostUpdate(db: string, bug: PlantedBugs['lostUpdate']): Promise<Investigation> {
  const sh = new Shell(db);
  const runs = await sh.runsOf(bug.applicantId);
  const windows: { from: number; to: number; amount: number }[] = [];
  for (const run of runs) {
    const shown = await sh.baton<{
      steps: { step: string; startedAt: number | null; endedAt: number | null }[];
    }>(['show', run.runId]);
    const d = shown.steps.find((s) => s.step === 'decision');
    windows.push({
      from: d?.startedAt ?? 0,
      to: d?.endedAt ?? 0,
      amount: Number((run.output as { approvedAmount?: number }).approvedAmount),
    });
  }
  const [a, b] = windows;
  const overlap = a !== undefined && b !== undefined && a.from <= b.to && b.from <= a.to;
  const sum = windows.reduce((n, w) => n + w.amount, 0);
  return {
    bug: 'lost update',
    complaint: `${bug.applicantId}'s exposure is ${bug.exposure}, yet the ledger shows ${runs.length} approved lines`,
    commands: sh.typed,
    culprit: `${runs.length} runs decided ${bug.applicantId} at the same time (decision steps overlap: ${overlap}); each added its amount to customer_exposure by read-modify-write, the exposure holds ${bug.exposure} instead of ${sum}`,
    found:
      runs.length === 2 &&
      overlap &&
      bug.exposure !== sum &&
      windows.some((w) => w.amount === bug.exposure),
  };
}

/** Runs the three investigations on the prepared database. */
export async function investigate(db: string, planted: PlantedBugs): Promise<Investigation[]> {
  // The complaint of bug 3 comes from the lender's own table, not from Baton.
  const raw = new Database(db, { readonly: true });
  const exposure = (
    raw
      .prepare('SELECT total FROM customer_exposure WHERE applicant_id = ?')
      .get(planted.lostUpdate.applicantId) as { total: number } | undefined
  )?.total;
  raw.close();
  if (exposure !== planted.lostUpdate.exposure)
    throw new Error('the exposure table does not hold what was planted');
  return [
    await staleRead(db, planted.staleRead),
    await buggyVersion(db, planted.buggyVersion),
    await lostUpdate(db, planted.lostUpdate),
  ];
}
