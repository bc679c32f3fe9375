import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contractPii, maskChanges, maskPaths } from '../../src/governance/pii-mask.js';
import { contract, diffJson, PII_MASK } from '../../src/index.js';

const Household = contract(
  'test.household@1',
  z.object({
    members: z.array(z.object({ name: z.string().meta({ pii: true }), age: z.number() })),
    notes: z.record(z.string(), z.string().meta({ pii: true })),
    city: z.string(),
  }),
);

const value = {
  members: [
    { name: 'Ines', age: 41 },
    { name: 'Tomas', age: 9 },
  ],
  notes: { intake: 'called on Tuesday' },
  city: 'Porto',
};

describe('PII masking', () => {
  it('finds tagged fields under arrays and records', () => {
    expect(contractPii(Household)).toEqual(['/members/*/name', '/notes/*']);
  });

  it('masks every tagged value and nothing else, without touching the original', () => {
    const masked = maskPaths(value, contractPii(Household));
    expect(masked).toEqual({
      members: [
        { name: PII_MASK, age: 41 },
        { name: PII_MASK, age: 9 },
      ],
      notes: { intake: PII_MASK },
      city: 'Porto',
    });
    expect(value.members[0]!.name).toBe('Ines');
  });

  it('masks diff changes at, under and above a tagged field', () => {
    const pii = new Map([['household', contractPii(Household)]]);
    const before = { household: value };
    const after = {
      household: { ...value, members: [{ name: 'Ines M.', age: 42 }], city: 'Braga' },
      extra: { household: 1 },
    };
    const changes = maskChanges(diffJson(before, after), pii);
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: 'household.members[0].name', kind: 'changed', before: PII_MASK, after: PII_MASK },
        { path: 'household.members[0].age', kind: 'changed', before: 41, after: 42 },
        { path: 'household.members[1]', kind: 'removed', before: { name: PII_MASK, age: 9 } },
        { path: 'household.city', kind: 'changed', before: 'Porto', after: 'Braga' },
      ]),
    );
    const added = maskChanges(diffJson({}, before), pii);
    expect(JSON.stringify(added)).not.toContain('Ines');
  });
});
