/**
 * Terminal output for the CLI: aligned tables, times, durations, compact JSON cells, colour.
 *
 * Invariants:
 * - Column widths are computed on the plain text; colour codes are added after padding, so a
 *   coloured table aligns exactly like a plain one.
 * - Colour is emitted only when the output is a TTY and NO_COLOR is unset; pipes, files and
 *   `--json` get plain text.
 */

/** A style a cell may be painted with. */
export type Style = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold';

/** A table cell: plain text, or text with a style. */
export type Cell = string | { readonly text: string; readonly style?: Style | undefined };

const CODES: Readonly<Record<Style, readonly [number, number]>> = {
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** Where the CLI writes, and whether it may colour. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** True when stdout is a terminal that should get colour. */
  readonly color: boolean;
}

/** Paints `text` when colour is on. */
export function paint(text: string, style: Style | undefined, color: boolean): string {
  if (!color || !style || text.length === 0) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

function cellText(c: Cell): string {
  return typeof c === 'string' ? c : c.text;
}

function cellStyle(c: Cell): Style | undefined {
  return typeof c === 'string' ? undefined : c.style;
}

/**
 * Renders rows under headers as aligned columns separated by two spaces (no trailing blanks).
 * Returns just the header line when there are no rows.
 */
export function renderTable(headers: readonly string[], rows: readonly Cell[][], color: boolean) {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => cellText(r[i] ?? '').length)),
  );
  const line = (cells: readonly Cell[], header: boolean): string =>
    cells
      .map((c, i) => {
        const text = cellText(c);
        const padded = i === cells.length - 1 ? text : text.padEnd(widths[i] ?? 0);
        return paint(padded, header ? 'bold' : cellStyle(c), color);
      })
      .join('  ')
      .trimEnd();
  return [line(headers, true), ...rows.map((r) => line(r, false))].join('\n');
}

/** Renders `label: value` pairs with the labels aligned. */
export function renderFields(fields: readonly (readonly [string, Cell])[], color: boolean): string {
  const width = Math.max(0, ...fields.map(([k]) => k.length));
  return fields
    .map(
      ([k, v]) =>
        `${paint(`${k}:`.padEnd(width + 1), 'dim', color)} ${paint(cellText(v), cellStyle(v), color)}`,
    )
    .join('\n');
}

/** An epoch-millisecond time as ISO 8601 UTC, or '-' when absent. */
export function formatTime(ms: number | null | undefined): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : '-';
}

/** A duration for humans: `850ms`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/** A JSON value on one line, cut to `max` characters for a table cell. */
export function formatValue(value: unknown, max = 60): string {
  if (value === undefined) return '-';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The colour of a run or step status. */
export function statusStyle(status: string): Style | undefined {
  switch (status) {
    case 'completed':
    case 'succeeded':
    case 'compensated':
    case 'closed':
      return 'green';
    case 'failed':
    case 'compensation_failed':
    case 'open':
    case 'cancelled':
      return 'red';
    case 'waiting':
    case 'compensating':
    case 'half-open':
    case 'skipped':
    case 'cached':
    case 'review':
      return 'yellow';
    default:
      return undefined;
  }
}

/** Writes a value as pretty JSON (the `--json` form of every command). */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
