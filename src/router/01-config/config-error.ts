/** A configuration or route file that the router refuses, with every problem found in it. */
import { isAbsolute, relative } from 'node:path';
import { RouterError } from '../00-common/router-error.js';

/** One thing wrong with a configuration input. */
export interface ConfigProblem {
  /** Absolute path of the file, or `environment` for an environment variable. */
  readonly file: string;
  /** 1-based line of the offending key or value, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
  /** Where in the file, e.g. `routes[0].copyTo[1]`, or the environment variable's name. */
  readonly key: string;
  /** What is wrong, in words an operator can act on. */
  readonly message: string;
}

/** The `file` of a problem found in an environment variable. */
export const ENVIRONMENT = 'environment';

/** A file as people read it: relative to the working directory when it is inside it. */
export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const inside = relative(process.cwd(), file);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}

/** Formats one problem as `file:line:column key: message`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = [displayPath(problem.file), problem.line, problem.column].filter(
    (part) => part !== undefined,
  );
  const key = problem.key === '' ? '' : ` ${problem.key}:`;
  return `${where.join(':')}${key} ${problem.message}`;
}

/** The stable code of every {@link ConfigError}, for logs and exit codes. */
export const CONFIG_ERROR_CODE = 'ITK_ROUTER_CONFIG_INVALID';

/**
 * Thrown when a configuration input is refused. It carries every problem found, not only the
 * first, so that one run tells the operator everything to fix.
 */
export class ConfigError extends RouterError<typeof CONFIG_ERROR_CODE> {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  /** Problems come out sorted by file, then line and column. */
  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    problems = [...problems].sort(byPosition);
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((problem) => `  ${formatProblem(problem)}`);
    // A refused configuration stays refused until someone edits it: not retryable.
    super(
      CONFIG_ERROR_CODE,
      [`configuration refused (${count}):`, ...lines].join('\n'),
      false,
      options,
    );
    this.problems = Object.freeze(problems.map((problem) => Object.freeze({ ...problem })));
  }
}

/** Throws a ConfigError when there is at least one problem. */
export function throwIfProblems(problems: readonly ConfigProblem[]): void {
  if (problems.length > 0) throw new ConfigError(problems);
}

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
