/**
 * `npm run naive`: runs the credit agents the naive way (shared mutable rows behind a cache that
 * writes never invalidate) and prints how many decisions disagree with the oracle; then two
 * agents rewriting one record on a scripted interleaving, and the updates lost (./lost-update.ts).
 * See ./agents.ts for how each wrong decision happens.
 */
import { Command, InvalidArgumentError } from 'commander';
import { formatLostUpdate, runLostUpdate } from './lost-update.js';
import { formatNaiveReport, NAIVE_DEFAULTS } from './report.js';
import { runNaive } from './run.js';

const integer = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new InvalidArgumentError(`expected an integer >= ${min}, got '${value}'`);
  }
  return n;
};

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('naive')
    .description('Run the credit agents the naive way and count wrong decisions')
    .option(
      '--applications <n>',
      'applications to generate',
      integer(0),
      NAIVE_DEFAULTS.applications,
    )
    .option('--seed <n>', 'seed of the generator', integer(0), NAIVE_DEFAULTS.seed)
    .option('--concurrency <n>', 'applicants in flight', integer(1), NAIVE_DEFAULTS.concurrency)
    .option(
      '--cache-ttl <ms>',
      'cache TTL in ms (0: no cache)',
      integer(0),
      NAIVE_DEFAULTS.cacheTtlMs,
    )
    .option('--db <path>', 'keep the customer table in this new SQLite file')
    .parse(argv);
  const o = program.opts<{
    applications: number;
    seed: number;
    concurrency: number;
    cacheTtl: number;
    db?: string;
  }>();
  const result = await runNaive({
    applications: o.applications,
    seed: o.seed,
    concurrency: o.concurrency,
    cacheTtlMs: o.cacheTtl,
    ...(o.db === undefined ? {} : { dbPath: o.db }),
  });
  console.log(formatNaiveReport(result, o.cacheTtl));
  // The seed's second failure: two writers of one record, on a scripted interleaving.
  const lost = await runLostUpdate({ applications: o.applications, seed: o.seed });
  console.log(['', ...formatLostUpdate(lost)].join('\n'));
}

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
