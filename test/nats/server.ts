/**
 * The NATS JetStream server of server-backed tests (TEST_NATS_URL). When no server answers, the
 * tests are skipped with a visible reason naming the URL; when CI is set, that is a failure.
 * Each test gets its own stream and subject prefix, deleted afterwards.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, it } from 'vitest';

/** The server tests use. */
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Whether a JetStream server answered, and why not when it did not. */
export async function probeNats(url = NATS_URL): Promise<{ available: boolean; reason: string }> {
  try {
    const nc = await connect({ servers: url, timeout: 2000, reconnect: false });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
      return { available: true, reason: '' };
    } finally {
      await nc.close();
    }
  } catch (e) {
    return { available: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** A stream name and subject prefix unique to this process and call. */
export function uniqueStream(label = 'run'): { stream: string; subjectPrefix: string } {
  const random = Math.random().toString(36).slice(2, 10);
  const base = `BATON_TEST_${label}_${process.pid}_${random}`;
  return { stream: base.toUpperCase(), subjectPrefix: base.toLowerCase() };
}

/** Deletes a test stream (and its consumers); a missing stream is fine. */
export async function deleteStream(stream: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL, reconnect: false });
  try {
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

const probe = await probeNats();

/**
 * `describe` for tests that need the server: skipped with a logged reason when it is down,
 * failing when CI is set and it is down.
 */
export function describeWithNats(name: string, body: () => void): void {
  if (!probe.available) {
    process.stderr.write(
      `[baton] SKIPPED '${name}': no NATS JetStream at ${NATS_URL} (${probe.reason}); set TEST_NATS_URL or run scripts/ci-services.sh\n`,
    );
    if (process.env.CI) {
      describe(name, () => {
        it('needs a reachable NATS JetStream in CI', () => {
          throw new Error(`CI is set but NATS at ${NATS_URL} is unreachable: ${probe.reason}`);
        });
      });
      return;
    }
  }
  describe.skipIf(!probe.available)(name, body);
}
