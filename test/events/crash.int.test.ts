import { describeReactorCrashCase } from './crash-case.js';

describeReactorCrashCase('embedded bus', async () => ({ args: [], makeBus: async () => ({}) }));
