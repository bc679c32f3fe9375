/**
 * The longest duration a timer can wait. Node.js clamps a longer `setTimeout` delay to 1 ms, so a
 * `timeoutMs: 2 ** 32` would fire at once; every duration option is checked against this bound.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** The sentence error messages use for the bound. */
export const MAX_TIMER_TEXT = `at most ${MAX_TIMER_MS} ms (the longest timer Node.js supports)`;
