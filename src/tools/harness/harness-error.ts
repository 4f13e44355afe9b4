/** The harness's errors: a pack that cannot be run as written, and a run that cannot start. */
import { formatProblem, type ConfigProblem } from '../../router/01-config/index.js';

/** A pack refused with every problem found in it, each with its file, line and key. */
export class PackError extends Error {
  readonly code = 'ITK_HARNESS_PACK_INVALID';
  readonly retryable = false;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super([`pack refused (${count}):`, ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n'));
    this.name = 'PackError';
    this.problems = problems;
  }
}

/** The run cannot start or go on: an unknown role, a missing password, the broker refusing us. */
export class HarnessError extends Error {
  readonly code = 'ITK_HARNESS_RUN_FAILED';
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
  }
}
