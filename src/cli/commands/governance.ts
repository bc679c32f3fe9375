/**
 * The governance commands, registered together: `catalog`.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerCatalog } from './catalog.js';

/** Registers every governance command. */
export function registerGovernance(program: Command, ctx: CliContext): void {
  registerCatalog(program, ctx);
}
