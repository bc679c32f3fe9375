/**
 * `npm start`: the credit-decisioning reference system on Baton, under faults, with a worker
 * crash, checked against the oracle. See ./README.md.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runLostUpdate } from './naive/lost-update.js';
import { NAIVE_DEFAULTS } from './naive/report.js';
import { runNaive } from './naive/run.js';
import { formatExplainLine, loadExplainer } from './system/explain.js';
import { FAULT_LEVELS, type FaultLevel } from './system/faults.js';
import { createProgress, formatReport, reportIsCorrect } from './system/format.js';
import { runSystem } from './system/system.js';

const integer = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InvalidArgumentError(`expected an integer >= ${min}, got '${value}'`);
  return n;
};

async function main(argv: readonly string[]): Promise<void> {
  const o = new Command('credit-decisioning')
    .description('Decide synthetic loan applications with Baton under faults and a worker crash')
    .option(
      '--applications <n>',
      'applications to generate',
      integer(0),
      NAIVE_DEFAULTS.applications,
    )
    .option('--seed <n>', 'seed of the generator', integer(0), NAIVE_DEFAULTS.seed)
    .option('--concurrency <n>', 'runs in flight', integer(1), 64)
    .addOption(
      new Option('--faults <level>', 'fault injection').choices(FAULT_LEVELS).default('default'),
    )
    .option(
      '--store <path>',
      "SQLite file (a previous demo's file is replaced, with a notice first)",
      './baton.db',
    )
    .option('--auto-review', 'sign off waiting referrals with the demo underwriter', false)
    .option('--naive', 'also run the naive architecture on the same applications', false)
    .parse(argv)
    .opts<{
      applications: number;
      seed: number;
      concurrency: number;
      faults: FaultLevel;
      store: string;
      autoReview: boolean;
      naive: boolean;
    }>();
  const explainer = await loadExplainer(process.env);
  const progress = createProgress(process.stdout, o.applications);
  const report = await runSystem({
    applications: o.applications,
    seed: o.seed,
    concurrency: o.concurrency,
    faults: o.faults,
    storePath: o.store,
    autoReview: o.autoReview,
    explainer,
    onNotice: (text) => console.log(text),
    onProgress: (p) => progress.update(p),
  });
  progress.done();
  const naive = o.naive
    ? {
        stale: await runNaive({
          applications: o.applications,
          seed: o.seed,
          concurrency: NAIVE_DEFAULTS.concurrency,
        }),
        lost: await runLostUpdate({ applications: o.applications, seed: o.seed }),
      }
    : undefined;
  console.log(formatReport(report, o.store, naive, [formatExplainLine(explainer)]));
  console.log(`\nSee it in the browser: npx baton dashboard --store ${o.store}`);
  if (!reportIsCorrect(report)) {
    console.error('\nFAILED: some decisions are wrong or runs were lost (see above).');
    process.exitCode = 1;
  }
}

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
