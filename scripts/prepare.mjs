/**
 * `npm run prepare`, which npm runs on `npm install` / `npm ci` in a checkout, when it installs
 * Baton from a git URL or a folder, and when `npx baton` links a checkout to run its command.
 * Builds dist/ when it is missing or older than src/. Plain JavaScript: it must run before any
 * dependency (tsx included) is installed.
 *
 * Where TypeScript is not installed (npx in a checkout before `npm install`, or a folder
 * installed without its dependencies) it says so and succeeds: failing here would abort the
 * whole install, and `baton` itself says how to build when dist/ is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'dist', 'index.js');

/** The newest modification time of the sources under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Links the package's own command into this checkout's node_modules/.bin, so `npx baton` finds
 * it on the first lookup (npm installs other packages' bins there, never the root's own).
 * Best effort: a read-only or unusual tree only loses the shortcut, never the install.
 */
function linkOwnBin() {
  const nodeModules = join(root, 'node_modules');
  if (!existsSync(nodeModules)) return;
  const link = join(nodeModules, '.bin', 'baton');
  try {
    lstatSync(link);
    return; // already there (a link of ours, or another package's baton: leave it)
  } catch {}
  try {
    mkdirSync(join(nodeModules, '.bin'), { recursive: true });
    symlinkSync(join('..', '..', 'bin', 'baton.js'), link);
  } catch {}
}
linkOwnBin();

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write(
    `baton-runtime: not built (TypeScript is not installed here); run npm install in ${root}\n`,
  );
  process.exit(0);
}
if (existsSync(built) && statSync(built).mtimeMs >= newest(join(root, 'src'))) process.exit(0);
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
