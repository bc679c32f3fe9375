import { describe, expect, it } from 'vitest';
import { formatSuite, parseSuiteResult, SUITE_MARKER } from './suites.js';

const line = (value: unknown) => `${SUITE_MARKER}${JSON.stringify(value)}`;

describe('suite results', () => {
  const good = {
    suite: 'choreography',
    lines: [
      {
        id: 'events-sqlite',
        title: 'embedded bus',
        impl: 'baton',
        label: 'sqlite FULL',
        figures: { eventsPerSec: 5123.4, p99Ms: 12.5 },
        checked: 'each effect once',
      },
    ],
    targets: [{ target: 'choreography ≥ 5,000 events/s', measured: '5,123', met: true }],
  };

  it('parses a well-formed result and prints its figures', () => {
    const r = parseSuiteResult('choreography', line(good));
    expect(r.targets[0]?.met).toBe(true);
    expect(formatSuite(r)).toMatch(/events-sqlite\s+baton\s+eventsPerSec 5,123, p99Ms 12\.5/);
  });

  it('prints a skipped suite with its reason', () => {
    const r = parseSuiteResult(
      'postgres',
      line({ suite: 'postgres', lines: [], targets: [], skipped: 'no server at 127.0.0.1:5432' }),
    );
    expect(formatSuite(r)).toBe('postgres: skipped (no server at 127.0.0.1:5432)');
  });

  it.each([
    ['no lines', { ...good, lines: undefined }],
    [
      'a figure that is not a number',
      { ...good, lines: [{ ...good.lines[0], figures: { a: 'x' } }] },
    ],
    [
      'an infinite figure as null',
      { ...good, lines: [{ ...good.lines[0], figures: { a: null } }] },
    ],
    ['a target without text', { ...good, targets: [{ met: true }] }],
  ])('refuses a result with %s, naming the suite', (_what, bad) => {
    expect(() => parseSuiteResult('choreography', line(bad))).toThrow(
      /suite 'choreography' printed a malformed result/,
    );
  });
});
