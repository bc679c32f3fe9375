/**
 * Small definitions shared by the robustness tests: a JSON contract that accepts anything, and an
 * agent that echoes (or doubles) its input, counting its calls.
 */
import { z } from 'zod';
import { type Agent, agent, contract } from '../../src/index.js';

/** Accepts any JSON value. */
export const Anything = contract('robust.any@1', z.unknown());

/** A number in, a number out. */
export const Num = contract('robust.num@1', z.number());

/** An agent returning `fn(input)`, with a call counter. */
export function numAgent(name: string, fn: (n: number) => number = (n) => n + 1) {
  const calls = { count: 0 };
  const a = agent({
    name,
    version: '1.0.0',
    input: Num,
    output: Num,
    execute: async (n: number) => {
      calls.count++;
      return fn(n);
    },
  });
  return { agent: a as Agent<number, number, undefined>, calls };
}
