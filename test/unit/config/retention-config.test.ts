/** The `retention` section of config/router.yaml: durations, state names, defaults. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRouterConfig } from '../../../src/router/01-config/index.js';
import {
  formatDuration,
  parseDuration,
  retentionConfig,
} from '../../../src/router/01-config/retention-config.js';
import { problemsOf } from './config-fixtures.js';

describe('durations', () => {
  test.each([
    ['45s', 45],
    ['30m', 1800],
    ['12h', 43_200],
    ['7d', 604_800],
    ['2w', 1_209_600],
    [' 90d ', 7_776_000],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  test.each(['', '7', 'd', '0d', '07d', '1.5d', '-1d', '7 d', '7D', '1y', '7days'])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  test('print in the largest whole unit', () => {
    expect([604_800, 86_400 * 30, 90_000, 5400, 61, 3600].map(formatDuration)).toEqual([
      '1w',
      '30d',
      '25h',
      '90m',
      '61s',
      '1h',
    ]);
  });
});

describe('retentionConfig', () => {
  test('turns every age into seconds, by state', () => {
    expect(
      retentionConfig({
        intervalSeconds: 600,
        batchSize: 200,
        bodies: { delivered: '7d', quarantined: '90d' },
        records: { nacked: '400d' },
        closedCarePlans: '52w',
      }),
    ).toEqual({
      intervalSeconds: 600,
      batchSize: 200,
      bodies: { delivered: 604_800, quarantined: 7_776_000 },
      records: { nacked: 34_560_000 },
      closedCarePlans: 31_449_600,
    });
  });

  test('leaves closed care plans out when not given (kept forever)', () => {
    const config = retentionConfig({ intervalSeconds: 1, batchSize: 1, bodies: {}, records: {} });
    expect(config).not.toHaveProperty('closedCarePlans');
  });
});

describe('loadRouterConfig: retention', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-retention-config-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (yaml: string): string => {
    const p = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(p, yaml);
    return p;
  };

  test('reads a policy and fills in the rest', () => {
    const config = loadRouterConfig(
      file('retention:\n  bodies: { delivered: 7d, inf-acked: 7d }\n  closedCarePlans: 400d\n'),
      {},
    );
    expect(config.retention).toEqual({
      intervalSeconds: 3600,
      batchSize: 500,
      bodies: { delivered: 604_800, 'inf-acked': 604_800 },
      records: {},
      closedCarePlans: 34_560_000,
    });
    expect(Object.isFrozen(config.retention.bodies)).toBe(true);
  });

  test('refuses an unknown state, a bad duration and a batch size of 0, naming each', () => {
    const problems = problemsOf(() =>
      loadRouterConfig(
        file(
          'retention:\n  batchSize: 0\n  bodies: { deliverd: 7d }\n  records: { nacked: 1 year }\n',
        ),
        {},
      ),
    );
    expect(problems.map(({ key, message }) => ({ key, message }))).toEqual([
      { key: 'retention.batchSize', message: expect.stringMatching(/>= 1/) },
      { key: 'retention.bodies.deliverd', message: expect.stringMatching(/delivered/) },
      {
        key: 'retention.records.nacked',
        message: expect.stringMatching(/^must match .*got "1 year"$/),
      },
    ]);
  });
});
