/**
 * `npm run report`: runs the five experiments that answer the case study's open questions and
 * writes docs/results/ (README.md with tables, SVG figures, raw data as CSV and JSON).
 *
 * Usage: `npm run report -- [--quick] [--only reliability,versioning,...] [--out <dir>]`.
 * `--quick` does a short version of everything and writes to scratch/results-quick unless
 * `--out` says otherwise, so it never overwrites the committed report.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { breakersExperiment } from './breakers/index.js';
import { renderSvg } from './chart.js';
import { compensationExperiment } from './compensation/index.js';
import { provenance } from './meta.js';
import { toCsv } from './output.js';
import { reliabilityExperiment } from './reliability/index.js';
import { dataFile, type Ran, renderReport } from './render.js';
import { rootCauseExperiment } from './root-cause/index.js';
import type { ExperimentContext, ExperimentResult } from './types.js';
import { versioningExperiment } from './versioning/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every experiment, in report order. */
const EXPERIMENTS: Readonly<Record<string, (ctx: ExperimentContext) => Promise<ExperimentResult>>> =
  {
    reliability: reliabilityExperiment,
    versioning: versioningExperiment,
    compensation: compensationExperiment,
    'root-cause': rootCauseExperiment,
    breakers: breakersExperiment,
  };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const only = values.only?.split(',') ?? Object.keys(EXPERIMENTS);
  for (const name of only) {
    if (!(name in EXPERIMENTS))
      throw new RangeError(
        `--only: unknown experiment '${name}' (known: ${Object.keys(EXPERIMENTS).join(', ')})`,
      );
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed))
    throw new RangeError(`--seed must be an integer, got '${values.seed}'`);
  const out = join(ROOT, values.out ?? (values.quick ? 'scratch/results-quick' : 'docs/results'));
  const command = `npm run report${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const started = new Date();
  const prov = provenance(ROOT, command, started);
  const tmpDir = mkdtempSync(join(tmpdir(), 'baton-report-'));
  const ctx: ExperimentContext = {
    size: values.quick ? 'quick' : 'full',
    seed,
    tmpDir,
    postgresUrl: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    log: (line) =>
      console.log(
        `[${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${line}`,
      ),
  };
  const ran: Ran[] = [];
  try {
    for (const name of only) {
      const t = performance.now();
      const result = await (
        EXPERIMENTS[name] as (c: ExperimentContext) => Promise<ExperimentResult>
      )(ctx);
      ran.push({ result, seconds: (performance.now() - t) / 1000 });
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const total = (Date.now() - started.getTime()) / 1000;
  mkdirSync(join(out, 'data'), { recursive: true });
  for (const { result } of ran) {
    for (const [name, rows] of Object.entries(result.data))
      writeFileSync(join(out, dataFile(result.id, name)), toCsv(rows));
    for (const f of result.figures)
      writeFileSync(join(out, `${f.name}.svg`), await renderSvg(f.spec));
  }
  const json = {
    provenance: prov,
    seconds: total,
    experiments: ran.map((r) => ({ ...r.result, seconds: r.seconds })),
  };
  writeFileSync(join(out, 'data', 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(out, 'README.md'), renderReport(prov, ran, total));
  console.log(`\nWrote ${join(out, 'README.md')} in ${total.toFixed(0)} s:`);
  for (const { result } of ran) for (const h of result.headline) console.log(`- ${h}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
