import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CompatibilityMode, checkCompatibility, type JsonSchema } from '../../src/index.js';

interface SharedCase {
  readonly id: string;
  readonly description: string;
  readonly history: JsonSchema[];
  readonly new: JsonSchema;
  readonly expected: Record<CompatibilityMode, boolean>;
}

const file = JSON.parse(
  readFileSync(new URL('./fixtures/compat-cases.json', import.meta.url), 'utf8'),
) as { modes: CompatibilityMode[]; cases: SharedCase[] };

describe('the shared compatibility cases (17 cases × 7 modes)', () => {
  it('holds 17 cases and 7 modes', () => {
    expect(file.cases).toHaveLength(17);
    expect(file.modes).toHaveLength(7);
  });

  for (const c of file.cases) {
    for (const mode of file.modes) {
      it(`${c.id} (${c.description}) under ${mode} is ${c.expected[mode] ? 'compatible' : 'incompatible'}`, () => {
        const result = checkCompatibility(c.history, c.new, mode);
        expect(result.compatible, JSON.stringify(result.problems)).toBe(c.expected[mode]);
        // A refusal always names at least one breaking change with its path.
        expect(result.problems.length > 0).toBe(!c.expected[mode]);
        for (const p of result.problems) expect(p.path).toMatch(/^#\//);
      });
    }
  }
});
