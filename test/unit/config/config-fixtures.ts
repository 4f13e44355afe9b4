/** Helpers for the configuration tests: where the fixtures are, and what a refusal says. */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type ConfigProblem } from '../../../src/router/01-config/index.js';

/** test/fixtures/config, absolute. */
export const FIXTURES = fileURLToPath(new URL('../../fixtures/config/', import.meta.url));

/** The repository root, where config/ and routes/ ship. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs a load that must be refused; returns its problems with files relative to the fixtures. */
export function problemsOf(load: () => unknown): ConfigProblem[] {
  try {
    load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => ({
      ...problem,
      file: problem.file === 'environment' ? problem.file : relative(FIXTURES, problem.file),
    }));
  }
  throw new Error('expected a ConfigError, but the load succeeded');
}
