/**
 * Writing raw data and tables: CSV (RFC 4180 quoting) and Markdown tables.
 */
import type { Row } from './types.js';

function csvCell(v: Row[string]): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows as CSV, columns in the order of the first row's keys (plus any later new keys). */
export function toCsv(rows: readonly Row[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c] ?? null)).join(','));
  return `${lines.join('\n')}\n`;
}

/** A Markdown table; `align` per column: 'l' or 'r' (default: right for all but the first). */
export function mdTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const a = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r'));
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(esc).join(' | ')} |`;
  const rule = `| ${a.map((x) => (x === 'r' ? '---:' : ':---')).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
