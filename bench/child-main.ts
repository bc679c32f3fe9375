/**
 * The entry of a bench child process: parse the spec from argv, measure in a temporary
 * directory (removed whatever happens), print the one marked result line. A failure exits
 * non-zero with its stack; a handle that keeps the process alive after the result is reported
 * and the process ends, so one leak cannot hang the whole bench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs `measure(spec, dir)` as this process's whole job; see the module comment. */
export function runChildMain<S, R>(
  name: string,
  marker: string,
  measure: (spec: S, dir: string) => Promise<R>,
): void {
  const main = async (): Promise<void> => {
    const arg = process.argv[2];
    if (arg === undefined) throw new TypeError(`usage: ${name} '<spec JSON>'`);
    const spec = JSON.parse(arg) as S;
    const dir = mkdtempSync(join(tmpdir(), `${name.replace(/\W+/g, '-')}-`));
    try {
      const result = await measure(spec, dir);
      process.stdout.write(`${marker}${JSON.stringify(result)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  main().then(
    () => {
      setTimeout(() => {
        console.error(`${name}: a handle kept the process alive 2 s after close; exiting`);
        process.exit(0);
      }, 2_000).unref();
    },
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exitCode = 1;
    },
  );
}
