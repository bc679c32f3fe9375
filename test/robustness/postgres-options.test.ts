/** Row 14: PostgreSQL options validated up front, and driver errors that say what happened. */
import { describe, expect, it } from 'vitest';
import { resolvePostgresStoreOptions } from '../../src/backends/postgres/connect.js';
import { translateDriverError } from '../../src/backends/postgres/driver-errors.js';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { isInvalidArgumentError, isStoreUnavailableError } from '../../src/index.js';

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

describe('postgresStore schema public, timeouts and the user', () => {
  it('refuses schema public unless allowPublicSchema says so', () => {
    const e = thrown(() =>
      postgresStore({ connectionString: 'postgres://u@h/db', schema: 'public' }),
    );
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain("schema 'public' is shared");
    expect((e as Error).message).toContain('allowPublicSchema: true');
    const store = postgresStore({
      connectionString: 'postgres://u@h/db',
      schema: 'public',
      allowPublicSchema: true,
    });
    expect(JSON.stringify(store)).toContain('schema public');
  });

  it.each([
    ['queryTimeoutMs', 0],
    ['queryTimeoutMs', 2 ** 32],
    ['queryTimeoutMs', '100'],
    ['keepAliveMs', -1],
    ['keepAliveMs', 1.5],
  ] as const)('refuses %s %j naming it', (name, value) => {
    const e = thrown(() =>
      postgresStore({ connectionString: 'postgres://u@h/db', [name]: value } as never),
    );
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain(`${name} must be`);
    expect((e as Error).message).toContain(typeof value === 'string' ? '"100"' : String(value));
  });

  it('passes the bounds to the driver and to the server', () => {
    const o = resolvePostgresStoreOptions({
      connectionString: 'postgres://u@h/db',
      queryTimeoutMs: 1234,
      keepAliveMs: 0,
    });
    expect(o.pool).toMatchObject({ query_timeout: 1234, keepAlive: false });
    expect(o.pool.options).toContain('-c statement_timeout=1234');
    expect(o.pool.options).toContain('-c idle_in_transaction_session_timeout=1234');
    const d = resolvePostgresStoreOptions('postgres://u@h/db');
    expect(d.pool).toMatchObject({
      query_timeout: 60_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
  });

  it('names the user the driver really sends, and refuses a connection with none', () => {
    const saved = { PGUSER: process.env.PGUSER, USER: process.env.USER };
    try {
      delete process.env.PGUSER;
      delete process.env.USER;
      const e = thrown(() => postgresStore('postgres://127.0.0.1:5432/test'));
      expect(isInvalidArgumentError(e)).toBe(true);
      expect((e as Error).message).toContain('names no user');
      process.env.USER = 'alice';
      const o = resolvePostgresStoreOptions('postgres://127.0.0.1:5432/test');
      expect(o.where).toMatchObject({ user: 'alice', userFrom: 'os' });
      expect(o.pool.connectionString).toBe('postgres://alice@127.0.0.1:5432/test');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('PostgreSQL driver errors say what happened', () => {
  const where = {
    host: 'db',
    port: 5432,
    user: 'baton',
    userFrom: 'url',
    database: 'app',
  } as const;
  const limits = { connectTimeoutMs: 5000, queryTimeoutMs: 60_000 };
  const sysError = (code: string, message = code) => Object.assign(new Error(message), { code });

  it('a connection never made says so, never "lost"', () => {
    const cases: [Error, string, number?][] = [
      [sysError('ECONNREFUSED'), 'connection refused'],
      [sysError('EHOSTUNREACH'), 'host unreachable'],
      [sysError('ENOTFOUND'), 'host not found'],
      [
        new Error('Connection terminated unexpectedly'),
        'no answer within connectTimeoutMs (5000 ms)',
        5000,
      ],
      [new Error('Connection terminated unexpectedly'), 'closed before the server answered', 30],
    ];
    for (const [error, expected, elapsedMs] of cases) {
      const e = translateDriverError(error, where, 'connect', { ...limits, elapsedMs });
      expect(isStoreUnavailableError(e)).toBe(true);
      expect(e.message).toContain('could not connect to PostgreSQL at db:5432');
      expect(e.message).toContain(expected);
      expect(e.message).toContain('nothing was sent');
      expect(e.message).not.toContain('lost');
    }
  });

  it('a connection lost after it was up says lost, and a query timeout names the bound', () => {
    const lost = translateDriverError(sysError('ECONNRESET'), where, 'query', limits);
    expect(isStoreUnavailableError(lost)).toBe(true);
    expect(lost.message).toContain('lost the connection to postgres://baton@db:5432/app');
    expect(lost.message).toContain('unless its COMMIT had reached the server');
    const slow = translateDriverError(new Error('Query read timeout'), where, 'query', limits);
    expect(isStoreUnavailableError(slow)).toBe(true);
    expect(slow.message).toContain('did not answer within queryTimeoutMs (60000 ms)');
    const cancelled = translateDriverError(
      sysError('57014', 'canceling statement due to statement timeout'),
      where,
      'query',
      limits,
    );
    expect(isStoreUnavailableError(cancelled)).toBe(true);
  });

  it('says when the user came from the operating system, and passes statement errors through', () => {
    const refused = translateDriverError(
      sysError('28000', 'role "root" does not exist'),
      { ...where, user: 'root', userFrom: 'os' },
      'connect',
      limits,
    );
    expect(refused.message).toContain(
      "refused user 'root', the operating-system user, as the URL names none",
    );
    const syntax = sysError('42601', 'syntax error');
    expect(translateDriverError(syntax, where, 'query', limits)).toBe(syntax);
  });
});
