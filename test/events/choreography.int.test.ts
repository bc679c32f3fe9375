import { describeEventBusCases } from './cases.js';

describeEventBusCases('the embedded bus', async () => ({}));
