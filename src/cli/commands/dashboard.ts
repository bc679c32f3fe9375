/**
 * `baton dashboard [--workflows <module>] [--host 127.0.0.1] [--port 4600]`: serves the
 * dashboard on the store until SIGINT/SIGTERM and prints one line, the URL with an admin token.
 * `baton dashboard token --role viewer|operator|admin [--ttl <hours>]` mints a token for a role;
 * `--principal <id>` instead mints one for a governance principal (the API acts as it).
 *
 * Tokens are signed with `BATON_DASHBOARD_SECRET`, or else with a key kept (mode 0600) in
 * `$XDG_CONFIG_HOME/baton/dashboard.key` (`~/.config/...`), created on first use, so a token
 * minted by one command is accepted by a dashboard started by another on the same account.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Command, InvalidArgumentError as UsageError } from 'commander';
import { parseLimit } from '../args.js';
import { type CliContext, globalOptions } from '../context.js';
import { library } from '../library.js';
import { loadWorkflows, openStore } from '../session.js';

type Role = 'viewer' | 'operator' | 'admin';

/** Where the dashboard key lives (`BATON_DASHBOARD_KEY_FILE` overrides). */
function keyFile(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return process.env.BATON_DASHBOARD_KEY_FILE || join(base, 'baton', 'dashboard.key');
}

/** The signing secret: the environment's, or the key file's (created on first use). */
export function dashboardSecret(): string {
  const fromEnv = process.env.BATON_DASHBOARD_SECRET;
  if (fromEnv) return fromEnv;
  const file = keyFile();
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return secret;
  }
}

function parseRole(value: string): Role {
  if (value !== 'viewer' && value !== 'operator' && value !== 'admin')
    throw new UsageError('must be viewer, operator or admin');
  return value;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new UsageError('must be a port number (0-65535)');
  return n;
}

interface DashboardCliOptions {
  readonly workflows?: string;
  readonly host: string;
  readonly port: number;
}

/** Registers `baton dashboard` and `baton dashboard token`. */
export function registerDashboard(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('dashboard')
    .description('serve the dashboard and HTTP API on the store until Ctrl-C (auth on)')
    .option('--workflows <module>', 'a module exporting workflows (needed for replay)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', parsePort, 4600)
    .action(async (opts: DashboardCliOptions, c: Command) => {
      const g = globalOptions(c);
      const { createDashboard, serveDashboard } = await import('../../dashboard/index.js');
      const workflows = await loadWorkflows(opts.workflows);
      const store = await openStore(g.store, 'write', g.schema);
      // Signals of workflows without --workflows are checked against their recorded contracts.
      const runtime = (await library()).createRuntime({
        store,
        workflows,
        resume: false,
        signalsFromShapes: true,
      });
      await runtime.ready();
      const dashboard = createDashboard({ runtime, store, secret: dashboardSecret() });
      const { url, close } = await serveDashboard(dashboard, { host: opts.host, port: opts.port });
      const token = process.env.BATON_DASHBOARD_TOKEN ?? dashboard.mintToken('admin');
      ctx.io.out(`Baton dashboard: ${url}/?token=${encodeURIComponent(token)}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => resolve());
        process.once('SIGINT', () => resolve());
      });
      await close();
      await runtime.close();
    });
  cmd
    .command('token')
    .description('mint a dashboard token for a role, or for a principal (its grants apply)')
    .option('--role <role>', 'viewer, operator or admin', parseRole)
    .option('--principal <id>', 'a governance principal: the API acts as it (rt.as)')
    .option('--ttl <hours>', 'expire after this many hours', parseLimit)
    .action(async (opts: { role?: Role; principal?: string; ttl?: number }) => {
      if ((opts.role === undefined) === (opts.principal === undefined))
        throw new UsageError('give exactly one of --role <role> or --principal <id>');
      const { createDashboardToken } = await import('../../dashboard/auth.js');
      const token = createDashboardToken(dashboardSecret(), {
        ...(opts.principal !== undefined ? { principal: opts.principal } : { role: opts.role! }),
        ...(opts.ttl !== undefined ? { ttlMs: opts.ttl * 3_600_000 } : {}),
      });
      ctx.io.out(`${token}\n`);
    });
}
