/**
 * The disruptive suite: the router as a child process on the real broker, killed with SIGKILL,
 * stopped with SIGTERM, its store locked, the broker itself restarted. It disturbs every other
 * test on the broker, so it runs on its own, one file at a time, after the main suite:
 *   NODE_OPTIONS=--experimental-vm-modules jest -c jest.disruptive.config.js
 * Same ESM set-up as jest.config.js. The global setup builds dist/ (the child runs bin/itk-router.js).
 */
process.env.ITK_DISRUPTIVE = '1'; // the tests skip themselves without it (the main config matches them too)

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/disruptive/**/*.test.ts'],
  globalSetup: '<rootDir>/test/disruptive/global-setup.js',
  maxWorkers: 1,
  testTimeout: 90000,
};
