/**
 * Runs a bench process (a measurement child or a suite) and picks its one result line out of its
 * output; everything else it prints is echoed, indented, so the bench's log reads as one.
 */
import { spawn } from 'node:child_process';

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
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: timeoutMs,
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
