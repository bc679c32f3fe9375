/**
 * The choreography suite of `npm run bench`: runs bench/events.ts (SQLite, embedded bus) and
 * bench/events-nats.ts (NATS JetStream; skipped with its reason when unreachable), each in its
 * own process so neither inherits the other's heap or file handles, and reports the issue-21
 * targets, including NATS events/s against the embedded bus measured in the same run.
 * Usage: npx tsx bench/choreography.ts [--quick] [--suite-json]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface SuiteResult {
  suite: string;
  lines: { id: string; figures: Record<string, number>; [k: string]: unknown }[];
  targets: { target: string; measured: string; met: boolean }[];
  skipped?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const passOn = process.argv.slice(2).filter((a) => a === '--quick');
const suiteJson = process.argv.includes('--suite-json');
/** NATS events/s may be at most this far below the embedded bus's. */
const NATS_RATIO_FLOOR = 0.8;

/** Runs one script with the same Node and loader as this one; its `@@bench-suite` result. */
function run(script: string): SuiteResult {
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, join(here, script), '--suite-json', ...passOn],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
  );
  const last = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('@@bench-suite '))
    .at(-1);
  if (r.status !== 0 || last === undefined)
    throw new Error(`${script} failed (exit ${String(r.status)}): ${r.stdout.slice(-2000)}`);
  return JSON.parse(last.slice('@@bench-suite '.length)) as SuiteResult;
}

let sqlite: SuiteResult;
let nats: SuiteResult;
try {
  sqlite = run('events.ts');
  nats = run('events-nats.ts');
} catch (e) {
  console.error(String(e));
  process.exit(1);
}
const embedded = sqlite.lines[0]?.figures.eventsPerSec ?? 0;
const overNats = nats.lines[0]?.figures.eventsPerSec;
const ratioTarget = `choreography over NATS, events/s within 20% of the embedded bus`;
const targets = [
  ...sqlite.targets,
  ...(nats.skipped !== undefined
    ? [
        {
          target: 'choreography over NATS, burst p99 <= 50 ms',
          measured: `not run: ${nats.skipped}`,
          met: false,
        },
        { target: ratioTarget, measured: `not run: ${nats.skipped}`, met: false },
      ]
    : [
        ...nats.targets,
        {
          target: ratioTarget,
          measured: `${overNats} vs ${embedded} events/s (${Math.round(((overNats ?? 0) / embedded) * 100)}%)`,
          met: (overNats ?? 0) >= NATS_RATIO_FLOOR * embedded,
        },
      ]),
];
const result: SuiteResult = {
  suite: 'choreography',
  lines: [...sqlite.lines, ...nats.lines],
  targets,
};
if (suiteJson) console.log(`@@bench-suite ${JSON.stringify(result)}`);
else {
  for (const l of result.lines) console.log(`${l.id}: ${JSON.stringify(l.figures)}`);
  for (const t of targets) console.log(`${t.met ? 'met   ' : 'missed'} ${t.target}: ${t.measured}`);
}
