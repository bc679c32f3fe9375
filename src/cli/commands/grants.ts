/**
 * `baton grant | revoke <principal> <privilege> <securable>` and `baton grants`: privileges on
 * the store. Without `--as` the CLI acts as the store's owner (whoever can open the store); with
 * `--as` the acting principal needs MANAGE on the securable. Every change is audited.
 */
import type { Command } from 'commander';
import type { Privilege, StateStore } from '../../index.js';
import { type CliContext, type globalOptions as GlobalOf, globalOptions } from '../context.js';
import { library } from '../library.js';
import { formatTime, paint, printJson, renderTable } from '../output.js';
import { authenticate } from '../principal-session.js';
import { withStore } from './governance-session.js';

type Global = ReturnType<typeof GlobalOf>;

async function governance(g: Global, store: StateStore) {
  if (g.as !== undefined) await authenticate(store, g.as, g.principalKey);
  return (await library()).storeGovernance(store, g.as !== undefined ? { principal: g.as } : {});
}

/** Registers `baton grant`, `baton revoke` and `baton grants`. */
export function registerGrants(program: Command, ctx: CliContext): void {
  for (const verb of ['grant', 'revoke'] as const) {
    program
      .command(verb)
      .description(
        verb === 'grant'
          ? 'grant a privilege on securables matching a pattern (workflow:credit-*, event:*, *)'
          : 'revoke a grant',
      )
      .argument('<principal>')
      .argument('<privilege>', 'EXECUTE, SIGNAL, CANCEL, READ, READ_PII, REPLAY or MANAGE')
      .argument('<securable>', 'kind:name[@version], with * wildcards, or *')
      .action(async (principal: string, privilege: string, securable: string, _o, cmd: Command) => {
        const g = globalOptions(cmd);
        const changed = await withStore(g, async (store) => {
          const gov = await governance(g, store);
          return gov[verb](principal, privilege as Privilege, securable);
        });
        if (g.json) return printJson(ctx.io, { changed });
        const what = `${principal} ${privilege} on ${securable}`;
        ctx.io.out(
          changed
            ? `${paint(verb === 'grant' ? 'granted' : 'revoked', 'green', ctx.io.color)}: ${what}\n`
            : `unchanged: ${what} ${verb === 'grant' ? 'was already granted' : 'was not granted'}\n`,
        );
      });
  }

  program
    .command('grants')
    .description('every grant on the store (none: a single owner, everything allowed)')
    .action(async (_o, cmd: Command) => {
      const g = globalOptions(cmd);
      const grants = await withStore(
        g,
        async (store) => (await governance(g, store)).grants(),
        'read',
      );
      if (g.json)
        return printJson(ctx.io, { mode: grants.length ? 'enforced' : 'single-owner', grants });
      if (grants.length === 0) {
        ctx.io.out(
          'no grants: the store has a single owner and every principal may do everything\n',
        );
        return;
      }
      const rows = grants.map((x) => [
        x.principal,
        x.privilege,
        x.securable,
        formatTime(x.grantedAt),
        x.grantedBy,
      ]);
      ctx.io.out(
        `${renderTable(['PRINCIPAL', 'PRIVILEGE', 'SECURABLE', 'GRANTED', 'BY'], rows, ctx.io.color)}\n`,
      );
    });
}
