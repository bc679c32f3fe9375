/**
 * `/api/v1/stream`: run events over Server-Sent Events. Each event's id is its watch cursor, so
 * a browser that reconnects sends `Last-Event-ID` and resumes exactly after the last event it
 * received: no gap, no repeat, no status moving backwards.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Runtime, WatchFilter } from '../index.js';
import { piiView } from './pii.js';

/** How long an idle stream waits before a keep-alive comment. */
const HEARTBEAT_MS = 15_000;

/** Streams the events of `target` after `after` until the client goes away. */
export function streamRunEvents(
  c: Context,
  rt: Runtime,
  target: string | WatchFilter,
  after: string | undefined,
  pollMs: number,
  /** False: each event's error and detail are scrubbed of the run's PII values (pii.ts). */
  readsPii = true,
): Response {
  return streamSSE(c, async (stream) => {
    const stop = new AbortController();
    stream.onAbort(() => stop.abort());
    // Reconnect quickly after a drop; the browser sends the last id it saw.
    await stream.write('retry: 500\n\n');
    const beat = setInterval(() => {
      void stream.write(': keep-alive\n\n').catch(() => stop.abort());
    }, HEARTBEAT_MS);
    try {
      const options = { signal: stop.signal, pollMs, ...(after !== undefined ? { after } : {}) };
      // One run: its LLM steps' tokens too (ephemeral, produced in this process; they may carry
      // personal data, so only for readers of it). They have no id: a reconnect resumes by the
      // last committed event's cursor.
      const events =
        typeof target === 'string' && readsPii
          ? rt.watch(target, { ...options, tokens: true })
          : rt.watch(target, options);
      for await (const e of events) {
        if (e.type === 'token') {
          await stream.writeSSE({
            event: 'token',
            data: JSON.stringify({ step: e.step, text: e.text }),
          });
          continue;
        }
        const shown = readsPii ? e : (await piiView(rt, await rt.getRun(e.runId), false)).scrub(e);
        await stream.writeSSE({ id: e.cursor, event: 'run', data: JSON.stringify(shown) });
      }
      // A watched run ended: say so, so the page stops listening instead of reconnecting.
      if (!stop.signal.aborted) await stream.writeSSE({ event: 'end', data: '{}' });
    } catch (e) {
      // A client that left, or a server closing under it, is not an error worth reporting.
      if (stop.signal.aborted) return;
      const error = e as { code?: string; message?: string };
      await stream
        .writeSSE({
          event: 'error',
          data: JSON.stringify({
            error: { code: error.code ?? 'INTERNAL', message: error.message ?? String(e) },
          }),
        })
        .catch(() => {});
    } finally {
      clearInterval(beat);
    }
  });
}
