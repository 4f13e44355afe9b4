/** jest in ESM mode: libxml2-wasm is an ES module with top-level await. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // the disruptive suite (kill -9, broker restart) runs on its own afterwards: jest.disruptive.config.js
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/disruptive/'],
  testTimeout: 30000,
};
