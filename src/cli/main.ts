#!/usr/bin/env node
/**
 * The `baton` executable: runs the CLI on the process's arguments and exits with its code.
 */
import { runCli } from './program.js';

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
process.exitCode = await runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  color,
});
