import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatTime,
  formatValue,
  paint,
  renderFields,
  renderTable,
} from './output.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
const strip = (s: string) => s.replace(/\u001b\[\d+m/g, '');

describe('tables', () => {
  const rows = [
    ['a', { text: 'completed', style: 'green' as const }, '1'],
    ['longer-id', { text: 'failed', style: 'red' as const }, '12'],
  ];

  it('aligns columns on the widest cell, with no trailing blanks', () => {
    expect(renderTable(['ID', 'STATUS', 'N'], rows, false).split('\n')).toEqual([
      'ID         STATUS     N',
      'a          completed  1',
      'longer-id  failed     12',
    ]);
  });

  it('aligns exactly the same with colour on, and colours only when asked', () => {
    const coloured = renderTable(['ID', 'STATUS', 'N'], rows, true);
    expect(coloured).not.toBe(renderTable(['ID', 'STATUS', 'N'], rows, false));
    expect(strip(coloured)).toBe(renderTable(['ID', 'STATUS', 'N'], rows, false));
    expect(paint('x', 'red', false)).toBe('x');
    expect(paint('x', 'red', true)).toBe('\u001b[31mx\u001b[39m');
  });

  it('renders a header alone when there are no rows, and aligned fields', () => {
    expect(renderTable(['A', 'B'], [], false)).toBe('A  B');
    expect(
      renderFields(
        [
          ['run', 'r1'],
          ['waiting for', 'risk'],
        ],
        false,
      ),
    ).toBe('run:         r1\nwaiting for: risk');
  });
});

describe('formats', () => {
  it('formats times, durations and values for humans', () => {
    expect(formatTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatTime(null)).toBe('-');
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m05s');
    expect(formatDuration(null)).toBe('-');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue(undefined)).toBe('-');
    expect(formatValue('x'.repeat(100), 10)).toBe(`${'"'}${'x'.repeat(8)}…`);
  });
});
