/**
 * Listening: the dashboard on `@hono/node-server`, bound to 127.0.0.1 unless told otherwise.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Dashboard } from './app.js';

/** Options of {@link serveDashboard}. */
export interface ServeOptions {
  /** Default 127.0.0.1: the dashboard is not exposed unless you say so. */
  readonly host?: string;
  /** Default 4600; 0 picks a free port. */
  readonly port?: number;
}

/** Starts listening; resolves with the server and the URL it answers on. */
export function serveDashboard(
  dashboard: Dashboard,
  options: ServeOptions = {},
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const hostname = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: dashboard.fetch, hostname, port: options.port ?? 4600 },
      (info) => {
        const host = hostname.includes(':') ? `[${hostname}]` : hostname;
        resolve({
          server: server as Server,
          url: `http://${host}:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              // Open SSE streams would hold close() forever: end them first.
              (server as Server).closeAllConnections();
              (server as Server).close(() => done());
            }),
        });
      },
    ) as Server;
    server.once('error', reject);
  });
}
