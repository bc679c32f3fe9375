/**
 * Formats the report printed at the end of `npm start`, and the progress display.
 */
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

/** The summary as lines of text. */
export function formatReport(r: SystemReport, storePath: string, naive?: NaiveResult): string {
  const status = Object.entries(r.byStatus)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const fraudTransitions = r.breakers.transitions.filter((t) =>
    t.breaker.startsWith('fraud-detection'),
  );
  const lines = [
    '',
    `Credit decisioning on Baton: ${r.applications} applications, ${r.runs} runs in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  runs by status      ${status}`,
    `  decisions           approve ${r.outcomes.approve}, refer ${r.outcomes.refer}, decline ${r.outcomes.decline} (completed runs)`,
    `  oracle agreement    ${r.oracle.agreed}/${r.oracle.checked} completed decisions (${pct(r.oracle.agreed, r.oracle.checked)}); ` +
      `${r.waitingChecked.agreed}/${r.waitingChecked.checked} waiting runs hold the oracle's referral`,
    `  reviews waiting     ${r.reviewsWaiting} (signed off this run: ${r.reviewed}; --auto-review signs them off)`,
    `  compensations       ${r.compensated} runs compensated (credit lines voided: ${r.ledger.voided}); ` +
      `${r.ledger.booked} lines booked, ${r.ledger.problems.length === 0 ? 'ledger consistent with the decisions' : `${r.ledger.problems.length} LEDGER PROBLEMS`}`,
    `  faults              income failures ${r.faults.incomeFailures} (retried), fraud calls while down ${r.faults.fraudDownCalls}, ` +
      `notify failures ${r.faults.notifyFailures}; ${r.retriedAfterOutage} applications decided again after the fraud outage`,
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
  );
  if (naive) {
    lines.push(
      `  naive architecture  ${naive.wrong}/${naive.total} wrong decisions (${pct(naive.wrong, naive.total)}) vs Baton ` +
        `${r.oracle.mismatches.length}/${r.oracle.checked} (npm run naive explains why)`,
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
    lines.push(
      '',
      'Inspect a run:',
      `  npx baton show ${r.exampleRunId}${store}`,
      `  npx baton trace ${r.exampleRunId}${store}`,
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
