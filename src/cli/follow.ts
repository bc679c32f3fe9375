/**
 * `--follow`: run events printed as they are committed (by any process on the store), one line
 * each, or one JSON object per line with `--json`. Stops on Ctrl-C, or when a followed run ends.
 */
import type { RunEvent, Runtime, WatchFilter } from '../index.js';
import { type CliIo, formatTime, paint, statusStyle } from './output.js';

/** One event as a line: time, run, what happened, step, version, status. */
export function formatEvent(e: RunEvent, color: boolean): string {
  const parts = [
    formatTime(e.at),
    e.runId,
    e.type,
    e.step ? `step=${e.step}` : '',
    e.attempt !== null && e.attempt > 1 ? `attempt=${e.attempt}` : '',
    e.version !== null ? `v${e.version}` : '',
    e.status ? paint(`→ ${e.status}`, statusStyle(e.status), color) : '',
    e.error ? paint(e.error.code, 'red', color) : '',
  ];
  return parts.filter(Boolean).join('  ');
}

/** Prints the events of `target` after `after` until the run ends or the process is interrupted. */
export async function follow(
  io: CliIo,
  json: boolean,
  rt: Runtime,
  target: string | WatchFilter,
  after: string,
): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for await (const e of rt.watch(target, { after, signal: stop.signal, pollMs: 500 })) {
      io.out(json ? `${JSON.stringify(e)}\n` : `${formatEvent(e, io.color)}\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Parses `key=value` words (`--where`), later keys winning.
 * @throws Error naming the malformed word.
 */
export function parseWherePairs(words: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new Error(`--where takes key=value, got '${w}'`);
    out[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return out;
}
