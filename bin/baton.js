#!/usr/bin/env node
// The `baton` command. It lives outside dist/ so that the link npm makes to it (npx keeps that
// link in its cache and reuses it) exists even in a checkout that is not built yet; in that
// case it says how to build instead of failing with "command not found".
try {
  await import('../dist/cli/main.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  const root = new URL('..', import.meta.url).pathname;
  process.stderr.write(
    `baton: cannot start (${e.message})\n` +
      `baton: this copy of baton-runtime is not built or not installed: run npm install in ${root}\n`,
  );
  process.exitCode = 1;
}
