/**
 * An OpenAI-compatible chat completions server on 127.0.0.1 that logs when each request arrived
 * and how many were in flight at once, and answers after `delayMs` (a slow model). Tests count
 * calls per window from its log.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface ServedRequest {
  readonly at: number;
  /** Requests in flight when this one arrived, itself included. */
  readonly inFlight: number;
  readonly model: string;
  readonly prompt: string;
  /** The Authorization header, when one was sent. */
  readonly auth: string | null;
}

/** The server and its log. */
export interface CountingServer {
  readonly baseURL: string;
  readonly log: readonly ServedRequest[];
  /** The most requests ever in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/** Starts the server; every reply is `content` (default `{"ok":true}`). */
export async function countingServer(
  opts: { delayMs?: number; content?: (prompt: string) => string } = {},
): Promise<CountingServer> {
  const log: ServedRequest[] = [];
  let inFlight = 0;
  let max = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      inFlight++;
      max = Math.max(max, inFlight);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        model?: string;
        messages?: { role: string; content: unknown }[];
      };
      const prompt = JSON.stringify(body.messages ?? []);
      log.push({
        at: Date.now(),
        inFlight,
        model: String(body.model),
        prompt,
        auth: req.headers.authorization ?? null,
      });
      const reply = (): void => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `chatcmpl-${log.length}`,
            object: 'chat.completion',
            created: 1_700_000_000,
            model: String(body.model),
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: opts.content?.(prompt) ?? '{"ok":true}' },
                finish_reason: 'stop',
              },
            ],
            usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
          }),
        );
      };
      if (opts.delayMs) setTimeout(reply, opts.delayMs);
      else reply();
    });
  });
  // Idle keep-alive sockets stay open longer than any test's pause, so a client never reuses one
  // the server is closing (an ECONNRESET a retry would hide, delaying that request).
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    log,
    maxInFlight: () => max,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
