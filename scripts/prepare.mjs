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
import { existsSync, readdirSync, statSync } from 'node:fs';
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
