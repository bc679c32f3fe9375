import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApiReport, REPORT_PATH } from '../scripts/api-report.js';

describe('the public API report', () => {
  let report = '';
  beforeAll(() => {
    report = buildApiReport();
  }, 60_000);

  it('matches api/baton.api.txt (run `npm run api:update` and review the diff when the surface changes)', () => {
    const committed = readFileSync(REPORT_PATH, 'utf8');
    expect(report).toBe(committed);
  });

  it('lists no internals at the package root', () => {
    const root = report.slice(report.indexOf('## . '), report.indexOf('## ./postgres'));
    for (const internal of [
      'deepFreeze',
      'sealJson',
      'materialize',
      'validatePolicy',
      'isStoredSpan',
    ]) {
      expect(root).not.toMatch(new RegExp(`^${internal}  \\(`, 'm'));
    }
  });
});
