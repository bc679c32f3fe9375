import { describe, expect, it } from 'vitest';
import type { MastraChildResult } from './mastra/spec.js';
import { type MastraLine, suiteResult, summarise } from './mastra-report.js';
import { parseSuiteResult, SUITE_MARKER } from './suites.js';

const line: MastraLine = {
  id: 'node24-mem-trivial-64',
  title: 't',
  store: 'memory',
  runs: { baton: [10, 5], mastra: [10, 5] },
};

const result = (impl: 'baton' | 'mastra', runsPerSec: number): MastraChildResult => ({
  line: line.id,
  impl,
  label: impl,
  node: 'v24.22.3',
  runs: 100,
  wallMs: 1000,
  runsPerSec,
  usPerStep: 1e6 / runsPerSec / 5,
  peakRssBytes: 1e8,
  heapUsedBytes: 5e7,
  checked: '110 decisions equal the oracle',
});

describe('mastra report', () => {
  it('takes medians per side, prints the ratio and a suite line npm run bench accepts', () => {
    const rs = [
      result('baton', 3000),
      result('mastra', 1000),
      result('baton', 5000),
      result('mastra', 2000),
      result('baton', 4000),
      result('mastra', 1500),
    ];
    const summary = summarise([line], rs);
    expect(summary[0]!.baton.runsPerSec).toBe(4000);
    expect(summary[0]!.mastra.runsPerSec).toBe(1500);
    expect(summary[0]!.ratio).toBeCloseTo(4000 / 1500);
    expect(summary[0]!.text).toContain('Baton/Mastra 2.7×');
    const suite = parseSuiteResult(
      'mastra',
      `${SUITE_MARKER}${JSON.stringify(suiteResult(summary))}`,
    );
    expect(suite.lines.map((l) => l.impl)).toEqual(['baton', 'mastra']);
    expect(suite.lines[0]!.checked).toContain('330 decisions');
    expect(suite.targets).toEqual([
      expect.objectContaining({ target: 'Mastra peer on Node 24: ratio printed', met: true }),
    ]);
  });

  it('refuses a line with one side missing', () => {
    expect(() => summarise([line], [result('baton', 3000)])).toThrow(/no mastra result/);
  });
});
