/**
 * A second version of the risk-assessment agent, to try on past runs with
 * `npx baton replay <run> --from 4 --workflows ./examples/credit-decisioning/workflows.ts --override risk=./examples/credit-decisioning/risk-v2.ts#riskAssessmentV2`:
 * an income that could not be verified rates at least D (so the application goes to a person).
 */
import { agent } from 'baton-runtime';
import { assessRisk } from './domain/logic.js';
import { RATINGS } from './domain/rules.js';
import { RiskAssessment, RiskInput } from './system/contracts.js';

/** `risk-assessment@2.0.0`. */
export const riskAssessmentV2 = agent({
  name: 'risk-assessment',
  version: '2.0.0',
  input: RiskInput,
  output: RiskAssessment,
  execute: (i) => {
    const v1 = assessRisk(i.score, i.income, i.application);
    if (i.income.verified || RATINGS.indexOf(v1.rating) >= RATINGS.indexOf('D')) return v1;
    return { ...v1, rating: 'D', rationale: [...v1.rationale, 'unverified income rates D (v2)'] };
  },
});
