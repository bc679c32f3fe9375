/**
 * Formats the report printed at the end of `npm start`, and the progress display.
 */
import type { LostUpdateResult } from '../naive/lost-update.js';
import type { NaiveResult } from '../naive/run.js';
import type { SystemReport } from './summary.js';

const pct = (a: number, b: number): string =>
  b === 0 ? '100.0%' : `${((100 * a) / b).toFixed(1)}%`;

/** True when the report shows every completed decision right and nothing lost. */
export function reportIsCorrect(r: SystemReport): boolean {
  return (
    r.oracle.mismatches.length === 0 &&
    r.waitingChecked.agreed === r.waitingChecked.checked &&
    r.ledger.problems.length === 0 &&
    r.undecided.length === 0 &&
    (r.crash === null || r.crash.lost.length === 0)
  );
}

/** What `--naive` adds: the stale-cache run and the lost-update script. */
export interface NaiveComparison {
  readonly stale: NaiveResult;
  readonly lost: LostUpdateResult;
}

/** The summary as lines of text, each number with what it counts. */
export function formatReport(
  r: SystemReport,
  storePath: string,
  naive?: NaiveComparison,
  /** Lines the caller adds after the counts (the optional LLM step's). */
  extra: readonly string[] = [],
): string {
  const status = Object.entries(r.byStatus)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const fraudTransitions = r.breakers.transitions.filter((t) =>
    t.breaker.startsWith('fraud-detection'),
  );
  const lines = [
    '',
    `Credit decisioning on Baton: ${r.applications} applications, ${r.runs} runs in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  runs by status      ${status} (${r.runs} runs for ${r.applications} applications: ` +
      `${r.retriedAfterOutage} of them retried an application whose run had failed on the fraud outage)`,
    `  decisions           approve ${r.outcomes.approve}, refer ${r.outcomes.refer}, decline ${r.outcomes.decline} ` +
      `(completed runs; a referral completes only once an underwriter signs it off: ${r.reviewsWaiting} wait, see below)`,
    `  oracle agreement    ${r.oracle.agreed}/${r.oracle.checked} completed decisions (${pct(r.oracle.agreed, r.oracle.checked)}); ` +
      `${r.waitingChecked.agreed}/${r.waitingChecked.checked} waiting runs hold the oracle's referral`,
    `  reviews waiting     ${r.reviewsWaiting} referrals wait for an underwriter (signed off in this run: ${r.reviewed}; --auto-review signs them off)`,
    `  compensations       ${r.compensated} runs compensated: their notification failed on every attempt, so the saga undid them; ` +
      `${r.ledger.voided} had booked a credit line, now voided (only approvals book one)`,
    `  ledger              ${r.ledger.booked} credit lines booked, ${r.ledger.problems.length === 0 ? 'consistent with the decisions' : `${r.ledger.problems.length} LEDGER PROBLEMS`}`,
    `  faults              failed attempts injected in this process: income ${r.faults.incomeFailures} (retried), ` +
      `fraud calls while down ${r.faults.fraudDownCalls}, notify ${r.faults.notifyFailures} (a rejected mailbox fails both attempts of its run)`,
    `  fraud breaker       ${fraudTransitions.map((t) => `${t.from}->${t.to}`).join(', ') || 'no transitions'}`,
    `  breakers now        ${r.breakers.live.map((b) => `${b.name} ${b.state}`).join(', ')}`,
  ];
  if (r.crash) {
    const c = r.crash;
    lines.push(
      `  worker crash        child pid ${c.pid} ended by ${c.signal ?? 'exit'} holding ${c.held.length} runs (${c.midRun} mid-run); ` +
        `${c.resumed} resumed and settled here, ${c.lost.length} lost`,
    );
  }
  lines.push(
    `  latency             p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms (start to decision, unreviewed runs)`,
    `  state versions      ${r.versions} written, each immutable and hash-chained`,
    ...extra,
  );
  if (naive) {
    const { stale, lost } = naive;
    const checked = r.oracle.checked + r.waitingChecked.checked;
    const wrong = r.oracle.mismatches.length + r.waitingChecked.checked - r.waitingChecked.agreed;
    lines.push(
      `  naive: stale reads  ${stale.wrong}/${stale.total} decisions wrong (${pct(stale.wrong, stale.total)}): every application decided once, ` +
        `no faults, a cache that writes do not invalidate; Baton ${wrong}/${checked} ` +
        `(completed decisions and waiting referrals; compensated runs keep no decision)`,
      `  naive: lost updates ${lost.naive.lostUpdates}/${lost.applicants} records lost the score agent's write ` +
        `(${lost.overlapped} scripted overlaps of two writers); Baton ${lost.baton.lostUpdates} ` +
        `(${lost.baton.conflicts} VersionConflictError, each re-read and retried); npm run naive explains both`,
    );
  }
  for (const m of r.oracle.mismatches.slice(0, 5))
    lines.push(
      `  WRONG ${m.applicantId} (${m.runId}): got ${JSON.stringify(m.got)}, oracle ${JSON.stringify(m.want)}`,
    );
  for (const p of r.ledger.problems.slice(0, 5)) lines.push(`  LEDGER ${p}`);
  for (const id of r.undecided.slice(0, 5)) lines.push(`  UNDECIDED ${id}`);
  if (r.exampleRunId) {
    const store =
      storePath === './baton.db' || storePath === 'baton.db' ? '' : ` --store ${storePath}`;
    // The replay drives the fork with the example's agents, whose ledger is the store file.
    const ledger = store === '' ? '' : `CREDIT_LEDGER=${storePath} `;
    lines.push(
      '',
      'Inspect a run:',
      `  npx baton show ${r.exampleRunId}${store}`,
      `  npx baton trace ${r.exampleRunId}${store}`,
      `  npx baton blame ${r.exampleRunId} decision.outcome${store}`,
      `  ${ledger}npx baton replay ${r.exampleRunId} --from 4 --workflows ./examples/credit-decisioning/workflows.ts${store}`,
    );
  }
  return lines.join('\n');
}

/** A progress display: a bar on a TTY, a line every few seconds otherwise. */
export function createProgress(
  out: NodeJS.WriteStream,
  total: number,
): {
  update(p: { settled: number; total: number; phase: string }): void;
  done(): void;
} {
  let lastLine = 0;
  let lastDraw = 0;
  return {
    update(p) {
      const n = Math.min(p.settled, total);
      const now = Date.now();
      if (out.isTTY) {
        if (now - lastDraw < 50 && n < total) return;
        lastDraw = now;
        const width = 30;
        const fill = Math.round((width * n) / Math.max(1, total));
        out.write(
          `\r[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${n}/${total} ${p.phase}    `,
        );
      } else if (now - lastLine >= 2000) {
        lastLine = now;
        out.write(`${n}/${total} runs settled (${p.phase})\n`);
      }
    },
    done() {
      if (out.isTTY) out.write('\n');
    },
  };
}
