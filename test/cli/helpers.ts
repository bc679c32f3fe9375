/**
 * Running the built `baton` binary as a subprocess, the way users run it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI entry point. */
export const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
/** The workflows module the CLI loads with `--workflows` (TypeScript, loaded through tsx). */
export const WORKFLOWS = join(ROOT, 'test', 'cli', 'fixtures', 'workflows.ts');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  return existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestSource(join(ROOT, 'src'));
}

/** Held while one test file builds, so two files never run tsc over the same dist/ at once. */
const LOCK = join(
  tmpdir(),
  `baton-cli-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`,
);
/** A lock older than this was left by a killed test process. */
const STALE_LOCK_MS = 5 * 60_000;

/** Resolves when the build lock is gone (event-driven: no polling). */
function lockReleased(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): boolean => {
      if (existsSync(LOCK)) return false;
      watcher.close();
      resolve();
      return true;
    };
    const watcher = watch(tmpdir(), () => {
      done();
    });
    done();
  });
}

/** Builds dist/ when it is missing or older than src/ (`npm test` builds before vitest anyway). */
export async function ensureBuilt(): Promise<void> {
  while (!isFresh()) {
    let fd: number;
    try {
      fd = openSync(LOCK, 'wx');
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'EEXIST') throw e;
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { force: true });
      else await lockReleased();
      continue;
    }
    try {
      if (!isFresh()) build();
    } finally {
      closeSync(fd);
      rmSync(LOCK, { force: true });
    }
    return;
  }
}

function build(): void {
  try {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    const out = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build failed:\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  }
}

/** What one CLI invocation did. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link baton}. */
export interface BatonOptions {
  /** Load TypeScript (for `--workflows` modules written in TypeScript). */
  readonly tsx?: boolean;
  readonly cwd?: string;
  /** Extra environment variables for the child. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs `node dist/cli/main.js ...args` and collects its output and exit code. */
export function baton(args: readonly string[], options: BatonOptions = {}): Promise<CliResult> {
  const nodeArgs = [...(options.tsx ? ['--import', 'tsx'] : []), MAIN, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses a successful `--json` invocation's stdout. */
export function json<T = Record<string, unknown>>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The non-empty lines of a table, split into cells on runs of two or more spaces. */
export function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => l.trim().split(/ {2,}/));
}
