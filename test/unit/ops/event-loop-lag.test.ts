/**
 * `itk_nodejs_eventloop_lag_min_seconds` before the event-loop histogram's first sample: no value
 * (NaN), not Node's empty-histogram minimum of 2^63-1 ns (9223372036.85 s); a real figure after.
 */
import { createMetrics } from '../../../src/router/10-ops/metrics.js';

const lagMin = (text: string): number => {
  const line = text.split('\n').find((l) => l.startsWith('itk_nodejs_eventloop_lag_min_seconds '));
  if (!line) throw new Error(`no lag_min line in:\n${text}`);
  return Number(line.split(' ')[1]);
};

test('lag min is NaN before the first sample, a small number of seconds after', async () => {
  const { registry } = createMetrics();
  expect(lagMin(await registry.metrics())).toBeNaN(); // scraped at once: no sample yet
  await new Promise((resolve) => setTimeout(resolve, 200));
  const sampled = lagMin(await registry.metrics());
  expect(sampled).toBeGreaterThanOrEqual(0);
  expect(sampled).toBeLessThan(60);
});
