/**
 * Runs a TypeScript fixture in a real child process (node --import tsx) and reads the JSON lines
 * it prints, one message per line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A running fixture and its line-delimited JSON messages. */
export interface Child {
  readonly proc: ChildProcess;
  /** Every message received so far, in order. */
  readonly messages: unknown[];
  /** Resolves with the first message (at or after the current one) that matches. */
  waitFor(match: (m: unknown) => boolean): Promise<unknown>;
  /** Resolves when the process has exited, with its code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stderr (for failure messages). */
  stderr(): string;
}

/** Starts `test/store/fixtures/<name>.ts` with the given arguments. */
export function startFixture(name: string, args: readonly string[]): Child {
  return startScript(fileURLToPath(new URL(`../store/fixtures/${name}.ts`, import.meta.url)), args);
}

/** Starts any TypeScript file (an absolute path) in a child process. */
export function startScript(fixture: string, args: readonly string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: unknown[] = [];
  const waiters: { match: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];
  let err = '';
  let buffered = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  proc.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
      // A killed child may leave a torn last line: it was never a complete acknowledgement.
      const message = JSON.parse(line) as unknown;
      messages.push(message);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.match(message)) waiters.splice(i, 1)[0]!.resolve(message);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (match: (m: unknown) => boolean) =>
    new Promise<unknown>((resolve, reject) => {
      const seen = messages.find(match);
      if (seen !== undefined) return resolve(seen);
      waiters.push({ match, resolve });
      void exited.then(({ code, signal }) =>
        reject(new Error(`fixture ${fixture} exited (${code ?? signal}) first: ${err}`)),
      );
    });
  return { proc, messages, waitFor, exited, stderr: () => err };
}
