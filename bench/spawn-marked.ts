/**
 * Runs a bench process (a measurement child or a suite) and picks its one result line out of its
 * output; everything else it prints is echoed, indented, so the bench's log reads as one.
 */
import { spawn } from 'node:child_process';

/** Another Node binary and environment for the process (the Mastra suite's Node 24). */
export interface MarkedProcess {
  readonly node?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `node <args>` in `root`, echoing its stdout indented except the line starting with
 * `marker`, which it returns (the last one, when several).
 * @throws Error naming `what` when the process exits non-zero or prints no marked line.
 */
export function runMarked(
  root: string,
  args: readonly string[],
  marker: string,
  what: string,
  timeoutMs: number,
  proc: MarkedProcess = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(proc.node ?? process.execPath, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: timeoutMs,
      ...(proc.env ? { env: proc.env } : {}),
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const lines = out.split('\n');
      for (const l of lines) if (l && !l.startsWith(marker)) console.log(`    ${l}`);
      const marked = [...lines].reverse().find((l) => l.startsWith(marker));
      if (code !== 0 || !marked) {
        reject(new Error(`${what} failed (exit ${code ?? signal}); see its output above`));
        return;
      }
      resolve(marked);
    });
  });
}

/** A positive integer command-line value, or `fallback` when absent. @throws RangeError. */
export function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`${name} must be a positive integer, got '${value}'`);
  return n;
}
