/**
 * How the CLI reports a failure: one line of text on stderr, or — under `--json` — one JSON
 * document on stderr, so a script reading `--json` output never has to parse prose.
 *
 * Shape: `{ "error": { "code", "name", "message", "retryable"?, ...context } }`; bad usage is
 * `{ "error": { "code": "USAGE", "message" } }` (exit 2), everything else exit 1.
 */
import type { Json } from '../index.js';

/** True when the arguments ask for JSON output (`--json` before any `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Own fields of an error worth reporting: its code and typed context, never its stack. */
function errorFields(e: unknown): Record<string, Json> {
  if (!(e instanceof Error)) return { code: 'ERROR', message: String(e) };
  const code = (e as { code?: unknown }).code;
  const out: Record<string, Json> = {
    code: typeof code === 'string' ? code : 'ERROR',
    name: e.name,
    message: e.message,
  };
  for (const [k, v] of Object.entries(e)) {
    if (k === 'cause' || k === 'stack' || v === undefined || typeof v === 'function') continue;
    try {
      out[k] = JSON.parse(JSON.stringify(v)) as Json;
    } catch {
      out[k] = String(v);
    }
  }
  return out;
}

/** The JSON document for a failed command. */
export function jsonFailure(e: unknown, message: string): string {
  return `${JSON.stringify({ error: { ...errorFields(e), message } })}\n`;
}

/** The JSON document for bad usage (commander's message, without its `error: ` prefix). */
export function jsonUsage(text: string): string {
  const message = text.trim().replace(/^error: /, '');
  return `${JSON.stringify({ error: { code: 'USAGE', message } })}\n`;
}
