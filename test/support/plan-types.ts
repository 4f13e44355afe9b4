/** The plan types of the stock routes (routes/*.yaml), for validators built in tests. */
export const STOCK_PLAN_TYPES: ReadonlySet<string> = new Set([
  'end-of-life',
  'long-term-condition',
  'falls',
  'dementia',
  'mental-health-crisis',
  'social-care',
]);
