/**
 * Every line the CLI writes passes through here, so data from the store (an agent's error text,
 * a run id, a step name) can never drive the terminal: control characters become visible
 * `\uXXXX` escapes. In `--json` output this changes nothing a JSON parser sees (JSON.stringify
 * already escapes C0 characters, and `\u009b` decodes to the same character as the raw one).
 * The only escape sequences let through are the CLI's own colour codes, and only when colour is on.
 */
import type { CliIo } from './output.js';

/** C0 controls other than tab and newline, DEL, and the C1 controls (U+0080–U+009F). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** The SGR codes `paint` emits (bold, dim, normal, red, green, yellow, cyan, default colour). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const OWN_COLOUR = /^\u001b\[(?:1|2|22|31|32|33|36|39)m$/;
/** The same codes as OWN_COLOUR, as a splitter that keeps them. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const OWN_COLOUR_SPLIT = /(\u001b\[(?:1|2|22|31|32|33|36|39)m)/;

const escapeAll = (text: string): string =>
  text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** `text` with every control character shown as `\uXXXX` (the CLI's colours kept when `color`). */
export function escapeControls(text: string, color: boolean): string {
  if (!color) return escapeAll(text);
  // Odd pieces are the colour codes themselves (split keeps the captured separator).
  return text
    .split(OWN_COLOUR_SPLIT)
    .map((piece, i) => (i % 2 === 1 && OWN_COLOUR.test(piece) ? piece : escapeAll(piece)))
    .join('');
}

/** An io whose out and err escape control characters. */
export function terminalSafe(io: CliIo): CliIo {
  return {
    out: (text) => io.out(escapeControls(text, io.color)),
    err: (text) => io.err(escapeControls(text, io.color)),
    color: io.color,
  };
}
