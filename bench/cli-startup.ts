/**
 * CLI start-up: how long `baton --help`, `baton --version` and two read commands (`runs`, `show`)
 * take from process start to exit, against the same node doing nothing. Optionally the same
 * commands of an earlier revision, built in a temporary directory, interleaved with this one.
 *
 *   npx tsx bench/cli-startup.ts [--rounds 15] [--before <git revision>]
 *
 * Each process is preloaded with ./cli-probe.mjs, which reports its wall time since start and its
 * CPU time at exit; CPU time is the steadier figure on a loaded machine. Medians and minimums.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE = join(ROOT, 'bench', 'cli-probe.mjs');

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** Runs `node --import probe ...args` once and reads what the probe reported. */
function sample(args: readonly string[]): Sample {
  const r = spawnSync(process.execPath, ['--import', PROBE, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const m = /@@startup wall=([\d.]+) cpu=([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) };
}

/** Builds `revision` in a temporary directory sharing this checkout's node_modules. */
function buildRevision(revision: string): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-before-'));
  const tar = execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', revision], {
    maxBuffer: 1 << 30,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: dir,
    },
  );
  const bin = existsSync(join(dir, 'bin', 'baton.js'))
    ? join(dir, 'bin', 'baton.js')
    : join(dir, 'dist', 'cli', 'main.js');
  return { dir, bin };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '15' }, before: { type: 'string' } },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new RangeError(`--rounds must be a positive integer, got ${values.rounds}`);
  const work = mkdtempSync(join(tmpdir(), 'baton-cli-startup-'));
  const before = values.before ? buildRevision(values.before) : null;
  try {
    const store = join(work, 'baton.db');
    const bin = join(ROOT, 'bin', 'baton.js');
    const demo = JSON.parse(
      execFileSync(process.execPath, [bin, '--store', store, '--json', 'demo'], {
        encoding: 'utf8',
      }),
    ) as { runId: string };
    const commands: Record<string, string[]> = {
      '--help': ['--help'],
      '--version': ['--version'],
      runs: ['runs', '--store', store],
      show: ['show', demo.runId, '--store', store],
    };
    const sides = [
      { name: 'now', bin },
      ...(before ? [{ name: values.before!, bin: before.bin }] : []),
    ];
    const samples = new Map<string, Sample[]>();
    const add = (key: string, s: Sample) => samples.set(key, [...(samples.get(key) ?? []), s]);
    for (let i = 0; i < rounds; i++) {
      add('node -e 0', sample(['-e', '0']));
      for (const [label, args] of Object.entries(commands))
        for (const side of sides) add(`${side.name}: baton ${label}`, sample([side.bin, ...args]));
    }
    const floor = median(samples.get('node -e 0')!.map((s) => s.wall));
    const rows = [...samples].map(([key, ss]) => ({
      key,
      wallMedian: median(ss.map((s) => s.wall)),
      wallMin: Math.min(...ss.map((s) => s.wall)),
      cpuMedian: median(ss.map((s) => s.cpu)),
    }));
    console.log(
      `CLI start-up, ${rounds} rounds interleaved (ms; node itself: ${floor.toFixed(0)} ms median)`,
    );
    console.log('command'.padEnd(34), 'wall median', ' wall min', ' above node', ' cpu median');
    for (const r of rows) {
      console.log(
        r.key.padEnd(34),
        r.wallMedian.toFixed(0).padStart(11),
        r.wallMin.toFixed(0).padStart(9),
        (r.wallMedian - floor).toFixed(0).padStart(11),
        r.cpuMedian.toFixed(0).padStart(11),
      );
    }
    const out = join(ROOT, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    const file = join(out, `cli-startup-${new Date().toISOString().slice(0, 10)}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ rounds, before: values.before ?? null, node: process.version, rows }, null, 2)}\n`,
    );
    console.log(`written to ${file}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (before) rmSync(before.dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
