/**
 * The PostgreSQL server of server-backed tests. When no server answers, tests are skipped with a
 * visible reason; when CI is set, a missing server is a failure instead (`describeWithPostgres`).
 */
import { describe, it } from 'vitest';
import { POSTGRES_URL, probePostgres } from './pg-admin.js';

export {
  adminQuery,
  dropSchema,
  POSTGRES_URL,
  type Probe,
  probePostgres,
  uniqueSchema,
} from './pg-admin.js';

const probe = await probePostgres();

/**
 * `describe` for tests that need the server: skipped with a logged reason when it is down,
 * failing when CI is set and it is down.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (!probe.available) {
    const redacted = POSTGRES_URL.replace(/:[^:@/]*@/, ':***@');
    process.stderr.write(
      `[baton] SKIPPED '${name}': no PostgreSQL at ${redacted} (${probe.reason}); set TEST_POSTGRES_URL or run scripts/ci-services.sh\n`,
    );
    if (process.env.CI) {
      describe(name, () => {
        it('needs a reachable PostgreSQL in CI', () => {
          throw new Error(
            `CI is set but PostgreSQL at ${redacted} is unreachable: ${probe.reason}`,
          );
        });
      });
      return;
    }
  }
  describe.skipIf(!probe.available)(name, body);
}
