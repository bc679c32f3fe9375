/**
 * The credit policy's numbers, in one place: the contracts' refinements and the agents' logic
 * read the same constants, so a schema can never disagree with the code that fills it.
 */

/** Lowest and highest credit score (FICO-like range). */
export const SCORE_MIN = 300;
/** Highest credit score. */
export const SCORE_MAX = 850;

/** Income counts as verified when payroll/bank records show at least this share of it. */
export const INCOME_VERIFIED_MIN_RATIO = 0.85;

/** A fraud score at or above this flags the application. */
export const FRAUD_FLAG_THRESHOLD = 0.6;
/** A flagged application at or above this fraud score is declined outright, not reviewed. */
export const FRAUD_DECLINE_THRESHOLD = 0.8;

/** Risk ratings, best first. */
export const RATINGS = ['A', 'B', 'C', 'D', 'E'] as const;
/** A risk rating: A (prime) to E (unacceptable). */
export type Rating = (typeof RATINGS)[number];

/** Minimum credit score for each rating (E has none). */
export const SCORE_TIERS: readonly { readonly rating: Rating; readonly minScore: number }[] = [
  { rating: 'A', minScore: 740 },
  { rating: 'B', minScore: 680 },
  { rating: 'C', minScore: 620 },
  { rating: 'D', minScore: 590 },
];

/** Maximum debt-to-income for each rating (E has none). */
export const DTI_TIERS: readonly { readonly rating: Rating; readonly maxDti: number }[] = [
  { rating: 'A', maxDti: 0.3 },
  { rating: 'B', maxDti: 0.38 },
  { rating: 'C', maxDti: 0.45 },
  { rating: 'D', maxDti: 0.55 },
];

/** APR used to size the new loan's monthly payment when computing debt-to-income. */
export const REFERENCE_APR = 0.1;

/** Debt-to-income is capped here so it stays a finite number (no income at all). */
export const DTI_CAP = 9.99;

/** Annual percentage rate offered per approvable rating. */
export const BASE_APR: Readonly<Record<'A' | 'B' | 'C', number>> = { A: 6.9, B: 9.9, C: 14.9 };
/** Extra APR for terms longer than {@link LONG_TERM_MONTHS}. */
export const LONG_TERM_SURCHARGE = 0.75;
/** Terms longer than this pay {@link LONG_TERM_SURCHARGE}. */
export const LONG_TERM_MONTHS = 60;

/** A C-rated loan above this multiple of annual income goes to a human underwriter. */
export const C_MAX_AMOUNT_TO_INCOME = 0.4;

/** Allowed loan terms, in months. */
export const TERMS_MONTHS = [12, 24, 36, 48, 60, 72, 84] as const;
