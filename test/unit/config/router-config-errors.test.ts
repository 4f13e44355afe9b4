import { join } from 'node:path';
import { ConfigError, loadRouterConfig } from '../../../src/router/01-config/index.js';
import { FIXTURES, problemsOf } from './config-fixtures.js';

const load = (name: string) => () => loadRouterConfig(join(FIXTURES, name, 'router.yaml'), {});

describe('loadRouterConfig refuses a bad file, naming file, line and key', () => {
  test('an unknown key, with the keys that are allowed there', () => {
    expect(problemsOf(load('router-unknown-key'))).toEqual([
      {
        file: 'router-unknown-key/router.yaml',
        line: 3,
        column: 3,
        key: 'amqp.prefecth',
        message: 'unknown key (allowed: url, prefix, prefetch, heartbeatSeconds, tls)',
      },
    ]);
  });

  test('every problem of the file at once, in line order: bad type, enum, pattern, unknown key', () => {
    const problems = problemsOf(load('router-many-problems'));
    expect(problems.map(({ line, key, message }) => ({ line, key, message }))).toEqual([
      { line: 3, key: 'http.port', message: 'must be integer, got "eighty"' },
      {
        line: 5,
        key: 'log.level',
        message: 'must be one of error, warn, info, http, verbose, debug, silly, got "loud"',
      },
      {
        line: 7,
        key: 'store.url',
        message: 'must match ^(sqlite:.+|postgres(ql)?://.+)$, got "mysql://db/itk"',
      },
      {
        line: 8,
        key: 'colour',
        message: expect.stringMatching(/^unknown key \(allowed: amqp, routes, store, /),
      },
    ]);
    expect(new Set(problems.map((problem) => problem.file))).toEqual(
      new Set(['router-many-problems/router.yaml']),
    );
  });

  test('a YAML syntax error, at the line the parser stopped and the key it was in', () => {
    const [problem, ...rest] = problemsOf(load('router-yaml-syntax'));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({
      file: 'router-yaml-syntax/router.yaml',
      line: 5,
      key: 'validation.catalogues[1]',
    });
    expect(problem?.message).toMatch(/^YAML syntax error: Flow sequence .* end with a \]$/);
  });

  test('a missing catalogue file and a retry policy that contradicts itself', () => {
    expect(problemsOf(load('router-bad-references'))).toEqual([
      {
        file: 'router-bad-references/router.yaml',
        line: 3,
        column: 7,
        key: 'validation.catalogues[0]',
        message: expect.stringMatching(
          /^file not found: .*router-bad-references\/catalogues\/missing\.yaml$/,
        ),
      },
      {
        file: 'router-bad-references/router.yaml',
        line: 6,
        column: 15,
        key: 'retry.maxDelayMs',
        message: 'must not be less than retry.initialDelayMs (2000)',
      },
    ]);
  });

  test('a file that does not exist', () => {
    expect(problemsOf(load('no-such-case'))).toEqual([
      { file: 'no-such-case/router.yaml', key: '', message: 'cannot read the file (ENOENT)' },
    ]);
  });

  test('the error reads well: a count, then one line per problem', () => {
    let error: unknown;
    try {
      load('router-many-problems')();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe('ITK_ROUTER_CONFIG_INVALID');
    expect(configError.retryable).toBe(false);
    const lines = configError.message.split('\n');
    expect(lines[0]).toBe('configuration refused (4 problems):');
    expect(lines[1]).toMatch(
      /^ {2}\S*router-many-problems\/router\.yaml:3:9 http\.port: must be integer, got "eighty"$/,
    );
    expect(lines).toHaveLength(5);
  });
});
