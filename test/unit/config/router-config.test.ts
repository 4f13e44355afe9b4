import { join, resolve } from 'node:path';
import { loadRouterConfig, type RouterConfig } from '../../../src/router/01-config/index.js';
import { FIXTURES, ROOT, problemsOf } from './config-fixtures.js';

const fixture = (name: string): string => join(FIXTURES, name, 'router.yaml');

/** The documented defaults, less the paths that depend on where the config lives. */
const DEFAULTS = {
  envOverrides: [],
  amqp: {
    url: 'amqp://guest:guest@127.0.0.1:5672/',
    prefix: 'itk',
    prefetch: 100,
    heartbeatSeconds: 30,
  },
  store: {
    kind: 'sqlite',
    url: 'sqlite:var/itk-router.sqlite',
    path: resolve(process.cwd(), 'var/itk-router.sqlite'),
  },
  router: {
    address: 'urn:nhs-uk:addressing:ods:ITKROUTER',
    identity: 'urn:nhs-uk:identity:ods:ITKROUTER',
  },
  http: { port: 8080, host: '127.0.0.1', trustProxy: false },
  log: { level: 'info' },
  limits: { maxMessageBytes: 5_242_880, maxDepth: 100, maxDecodedBytes: 20_971_520 },
  validation: { unknownPayloads: 'pass', catalogues: [] },
  retry: { attempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 },
  acks: { infAckTimeoutSeconds: 300, busAckTimeoutSeconds: 86_400 },
  retention: { intervalSeconds: 3600, batchSize: 500, bodies: {}, records: {} },
} as const;

describe('loadRouterConfig: the shipped file and the defaults', () => {
  test('config/router.yaml loads, states every default, and points at the stock routes', () => {
    const file = join(ROOT, 'config/router.yaml');
    expect(loadRouterConfig(file, {})).toEqual({
      ...DEFAULTS,
      file,
      routes: join(ROOT, 'routes'),
      console: { users: join(ROOT, 'config/users.yaml'), sessionIdleMinutes: 30 },
    });
  });

  test('with no file, only the defaults apply and the routes folder is <cwd>/routes', () => {
    expect(loadRouterConfig(undefined, {})).toEqual({
      ...DEFAULTS,
      routes: resolve(process.cwd(), 'routes'),
      console: { users: resolve(process.cwd(), 'config/users.yaml'), sessionIdleMinutes: 30 },
    });
  });

  test('an empty file takes every default; ../routes is relative to the file', () => {
    const config = loadRouterConfig(fixture('router-empty'), {});
    expect(config.routes).toBe(join(FIXTURES, 'routes'));
    expect(config.amqp).toEqual(DEFAULTS.amqp);
    expect(config.file).toBe(fixture('router-empty'));
  });

  test('paths: routes and catalogues relative to the file, sqlite relative to the cwd', () => {
    const config = loadRouterConfig(fixture('router-relative'), {});
    expect(config.routes).toBe(join(FIXTURES, 'router-relative/my-routes'));
    expect(config.validation).toEqual({
      unknownPayloads: 'refuse',
      catalogues: [join(FIXTURES, 'router-relative/catalogues/local.yaml')],
    });
    expect(config.store).toEqual({
      kind: 'sqlite',
      url: 'sqlite:data/router.sqlite',
      path: resolve(process.cwd(), 'data/router.sqlite'),
    });
    expect(config.http).toEqual({ port: 9090, host: '127.0.0.1', trustProxy: false });
  });

  test('the result is deeply frozen', () => {
    const config = loadRouterConfig(undefined, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.amqp)).toBe(true);
    expect(Object.isFrozen(config.validation.catalogues)).toBe(true);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('loadRouterConfig: environment overrides', () => {
  const env = {
    AMQP_URL: 'amqp://harness:secret@broker.test:5672/itk-test-42',
    ITK_ROUTER_ROUTES: 'test/fixtures/config/routing-locality',
    ITK_ROUTER_STORE: 'postgres://itk@db.test/itk',
    ITK_ROUTER_HTTP_PORT: '0',
  };

  test('each variable wins over the file and is listed', () => {
    const config: RouterConfig = loadRouterConfig(fixture('router-relative'), env);
    expect(config.amqp.url).toBe(env.AMQP_URL);
    expect(config.amqp.prefix).toBe('itk');
    expect(config.routes).toBe(resolve(process.cwd(), env.ITK_ROUTER_ROUTES));
    expect(config.store).toEqual({ kind: 'postgres', url: env.ITK_ROUTER_STORE });
    expect(config.http).toEqual({ port: 0, host: '127.0.0.1', trustProxy: false });
    expect(config.envOverrides).toEqual([
      'AMQP_URL',
      'ITK_ROUTER_ROUTES',
      'ITK_ROUTER_STORE',
      'ITK_ROUTER_HTTP_PORT',
    ]);
  });

  test('a sqlite store from the environment is relative to the cwd; sqlite::memory: stays as is', () => {
    expect(loadRouterConfig(undefined, { ITK_ROUTER_STORE: 'sqlite:tmp/a.sqlite' }).store).toEqual({
      kind: 'sqlite',
      url: 'sqlite:tmp/a.sqlite',
      path: resolve(process.cwd(), 'tmp/a.sqlite'),
    });
    expect(loadRouterConfig(undefined, { ITK_ROUTER_STORE: 'sqlite::memory:' }).store).toEqual({
      kind: 'sqlite',
      url: 'sqlite::memory:',
      path: ':memory:',
    });
  });

  test('ITK_ROUTER_HTTP_HOST overrides http.host; a value that is no host is refused', () => {
    for (const host of ['0.0.0.0', '::1', 'router.example.nhs.uk'])
      expect(loadRouterConfig(undefined, { ITK_ROUTER_HTTP_HOST: host }).http.host).toBe(host);
    for (const host of ['a b', 'host/path', 'x;y'])
      expect(problemsOf(() => loadRouterConfig(undefined, { ITK_ROUTER_HTTP_HOST: host }))).toEqual(
        [
          {
            file: 'environment',
            key: 'ITK_ROUTER_HTTP_HOST',
            message: `must be a host name or IP address, got ${JSON.stringify(host)}`,
          },
        ],
      );
  });

  test('an empty variable counts as unset', () => {
    const config = loadRouterConfig(undefined, { AMQP_URL: '', ITK_ROUTER_HTTP_PORT: '' });
    expect(config.amqp.url).toBe(DEFAULTS.amqp.url);
    expect(config.http.port).toBe(8080);
    expect(config.envOverrides).toEqual([]);
  });

  test.each(['abc', '80.5', '-1', '70000', '8080x'])(
    'ITK_ROUTER_HTTP_PORT=%s is refused',
    (port) => {
      expect(problemsOf(() => loadRouterConfig(undefined, { ITK_ROUTER_HTTP_PORT: port }))).toEqual(
        [
          {
            file: 'environment',
            key: 'ITK_ROUTER_HTTP_PORT',
            message: `must be an integer port from 0 to 65535, got "${port}"`,
          },
        ],
      );
    },
  );

  test('every bad variable is reported at once', () => {
    const problems = problemsOf(() =>
      loadRouterConfig(undefined, {
        AMQP_URL: 'http://broker',
        ITK_ROUTER_STORE: 'mysql://db/itk',
      }),
    );
    expect(problems.map(({ key, message }) => [key, message])).toEqual([
      ['AMQP_URL', 'must be an amqp:// or amqps:// URL, got "http://broker"'],
      ['ITK_ROUTER_STORE', 'must be sqlite:<path> or postgres://…, got "mysql://db/itk"'],
    ]);
  });
});
