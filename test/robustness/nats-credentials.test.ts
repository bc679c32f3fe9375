/** Row 8: NATS credentials never appear in an error or log line, in any URL form. */

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { natsBus } from '../../src/backends/nats/index.js';
import { redactCredentials } from '../../src/backends/nats/redact.js';
import { createRuntime, event, memoryStore } from '../../src/index.js';

const SECRET = 'N4tsSecret';
const FORMS = [
  `nats://user:${SECRET}@127.0.0.1:1`,
  `tls://user:${SECRET}@127.0.0.1:1`,
  `nats://${SECRET}@127.0.0.1:1`,
  `user:${SECRET}@127.0.0.1:1`,
  `NATS://User:${SECRET}@[::1]:1`,
];

describe('NATS credentials', () => {
  it.each(FORMS)('redacts %s', (url) => {
    const text = redactCredentials(`NATS at ${url} is unreachable: connect to ${url} failed`);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('***@');
  });

  it('leaves text without credentials as it is', () => {
    const text = 'NATS at nats://127.0.0.1:4222 is unreachable: ECONNREFUSED 127.0.0.1:4222';
    expect(redactCredentials(text)).toBe(text);
  });

  it('an unreachable server with a password in its URL warns without it', async () => {
    const Note = event('robust.nats-note@1', z.object({ n: z.number() }));
    const rt = createRuntime({
      store: memoryStore(),
      bus: natsBus({ servers: `nats://user:${SECRET}@127.0.0.1:1` }),
    });
    const warned = new Promise<string>((resolve) => {
      process.once('warning', (w) => resolve(w.message));
    });
    try {
      await rt.ready();
      // The event is stored; sending it on NATS fails, and that is reported as a warning.
      const published = await rt.publish(Note, { n: 1 });
      expect(published.duplicate).toBe(false);
      const message = await warned;
      expect(message).toContain('is unreachable');
      expect(message).toContain('nats://***@127.0.0.1:1');
      expect(message).not.toContain(SECRET);
    } finally {
      await rt.close().catch(() => undefined);
    }
  });
});
