/** Row 14 (in part): PostgreSQL options validated up front, before any connection. */
import { describe, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { isInvalidArgumentError } from '../../src/index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('postgresStore options', () => {
  it.each(['pg_catalog', 'pg_toast', 'information_schema'])(
    'refuses the PostgreSQL schema %s',
    (schema) => {
      const e = thrown(() => postgresStore({ connectionString: 'postgres://u@h/db', schema }));
      expect(isInvalidArgumentError(e)).toBe(true);
      expect((e as Error).message).toContain(`schema '${schema}' is reserved by PostgreSQL`);
    },
  );

  it('refuses a connect timeout beyond the timer limit', () => {
    const e = thrown(() =>
      postgresStore({ connectionString: 'postgres://u@h/db', connectTimeoutMs: 2 ** 32 }),
    );
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain('at most 2147483647 ms');
  });
});
