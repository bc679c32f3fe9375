/**
 * A TCP fault proxy for tests: sits between a client (workers, runtimes) and a server
 * (PostgreSQL, NATS) and breaks the link on demand.
 *
 * Modes (`proxy.mode(...)`, applied at once to new and open connections):
 * - `pass`: forwards both ways.
 * - `drop`: new connections are reset as soon as they are accepted; open ones keep working.
 * - `{ delayMs }`: every chunk, both ways, is forwarded `delayMs` late (order kept).
 * - `stall`: a half-open partition. New connections are accepted and never connected upstream;
 *   open ones forward nothing either way. A client that gives up and closes is not heard by the
 *   server (its upstream socket stays open, as after a real partition, until the server closes
 *   it); when the stall ends, held bytes flow again on links whose client is still there.
 *
 * Actions: `resetAll()` resets every open connection (RST both ways, mid-query if a query is in
 * flight); `armReset('request' | 'reply', n)` resets the next `n` connections on which a chunk
 * travels that way: 'request' before the server sees it, 'reply' after the server acted on the
 * request but before its answer reaches the client (an acknowledgement lost in the network).
 */
import net from 'node:net';

/** How the proxy treats traffic. */
export type FaultMode = 'pass' | 'drop' | 'stall' | { readonly delayMs: number };

/** What the proxy has done so far. */
export interface FaultStats {
  accepted: number;
  dropped: number;
  reset: number;
  /** Chunks held by a stall (forwarded later or discarded). */
  held: number;
}

/** A running proxy. */
export interface FaultProxy {
  readonly port: number;
  readonly stats: Readonly<FaultStats>;
  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string;
  mode(mode: FaultMode): void;
  /** Resets every open connection; returns how many. */
  resetAll(): number;
  /** Resets the next `count` connections that carry a chunk in `direction`. */
  armReset(direction: 'request' | 'reply', count?: number): void;
  /** Connections open now (client side). */
  open(): number;
  close(): Promise<void>;
}

interface Link {
  readonly client: net.Socket;
  upstream: net.Socket | undefined;
  clientGone: boolean;
  /** Chunks held while stalled, per direction. */
  readonly toServer: Buffer[];
  readonly toClient: Buffer[];
  /** When the last delayed chunk per direction is due (keeps order). */
  dueServer: number;
  dueClient: number;
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target`. */
export async function startFaultProxy(target: {
  readonly host: string;
  readonly port: number;
}): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  const links = new Set<Link>();
  const orphans = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const stats: FaultStats = { accepted: 0, dropped: 0, reset: 0, held: 0 };
  const armed = { request: 0, reply: 0 };

  const reset = (link: Link): void => {
    stats.reset++;
    links.delete(link);
    link.clientGone = true;
    link.client.resetAndDestroy();
    link.upstream?.resetAndDestroy();
  };

  const forward = (link: Link, chunk: Buffer, toServer: boolean): void => {
    const direction = toServer ? 'request' : 'reply';
    if (armed[direction] > 0) {
      // 'request': the server never sees it; 'reply': the server acted on it, the answer is lost.
      armed[direction]--;
      reset(link);
      return;
    }
    const target = toServer ? link.upstream : link.client;
    if (!target || target.destroyed) return;
    target.write(chunk);
  };

  const send = (link: Link, chunk: Buffer, toServer: boolean): void => {
    if (mode === 'stall') {
      stats.held++;
      (toServer ? link.toServer : link.toClient).push(chunk);
      return;
    }
    if (typeof mode === 'object') {
      const now = Date.now();
      const due = Math.max(now + mode.delayMs, toServer ? link.dueServer : link.dueClient);
      if (toServer) link.dueServer = due;
      else link.dueClient = due;
      const t = setTimeout(() => {
        timers.delete(t);
        forward(link, chunk, toServer);
      }, due - now);
      timers.add(t);
      return;
    }
    forward(link, chunk, toServer);
  };

  const connectUpstream = (link: Link): void => {
    const upstream = net.connect(target.port, target.host);
    link.upstream = upstream;
    upstream.on('error', () => {});
    upstream.on('data', (chunk: Buffer) => send(link, chunk, false));
    upstream.on('close', () => {
      orphans.delete(upstream);
      links.delete(link);
      if (!link.client.destroyed) link.client.destroy();
    });
  };

  const server = net.createServer((client) => {
    stats.accepted++;
    client.on('error', () => {});
    if (mode === 'drop') {
      stats.dropped++;
      client.resetAndDestroy();
      return;
    }
    const link: Link = {
      client,
      upstream: undefined,
      clientGone: false,
      toServer: [],
      toClient: [],
      dueServer: 0,
      dueClient: 0,
    };
    links.add(link);
    // A stalled accept is never connected upstream: the client waits for a server that never speaks.
    if (mode !== 'stall') connectUpstream(link);
    client.on('data', (chunk: Buffer) => send(link, chunk, true));
    client.on('close', () => {
      link.clientGone = true;
      links.delete(link);
      const up = link.upstream;
      if (!up || up.destroyed) return;
      // A partition: the server never hears that the client left.
      if (mode === 'stall') orphans.add(up);
      else up.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fault proxy has no port');

  const unstall = (): void => {
    for (const link of [...links]) {
      if (!link.upstream) {
        // Accepted during the stall: the client gave up or will; it never reached the server.
        link.client.destroy();
        links.delete(link);
        continue;
      }
      for (const c of link.toServer.splice(0)) forward(link, c, true);
      for (const c of link.toClient.splice(0)) forward(link, c, false);
    }
  };

  return {
    port: address.port,
    stats,
    url(text: string): string {
      const u = new URL(text);
      u.hostname = '127.0.0.1';
      u.port = String(address.port);
      return u.toString();
    },
    mode(next: FaultMode): void {
      const wasStalled = mode === 'stall';
      mode = next;
      if (wasStalled && next !== 'stall') unstall();
    },
    resetAll(): number {
      const all = [...links];
      for (const link of all) reset(link);
      return all.length;
    },
    armReset(direction: 'request' | 'reply', count = 1): void {
      armed[direction] += count;
    },
    open: () => links.size,
    async close(): Promise<void> {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const link of [...links]) {
        link.client.destroy();
        link.upstream?.destroy();
      }
      links.clear();
      for (const o of orphans) o.destroy();
      orphans.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
