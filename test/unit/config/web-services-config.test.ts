/** `webServices` in router.yaml and its environment overrides (docs/web-services.md, "Configuration"). */
import { join } from 'node:path';
import { loadRouterConfig } from '../../../src/router/01-config/index.js';
import { FIXTURES, problemsOf } from './config-fixtures.js';

const DIR = join(FIXTURES, 'router-web-services');
const FILE = join(DIR, 'router.yaml');

describe('webServices', () => {
  test('off without a port: no section, or a section without one', () => {
    expect(loadRouterConfig(undefined, {}).webServices).toBeUndefined();
  });

  test('on with a port: the TLS files are required and must exist, relative to the file', () => {
    expect(problemsOf(() => loadRouterConfig(FILE, {}))).toEqual([
      {
        file: 'router-web-services/router.yaml',
        line: 5,
        column: 49,
        key: 'webServices.tls.ca',
        message: expect.stringMatching(/^file not found: .*router-web-services\/ca\.crt$/),
      },
    ]);
  });

  test('ITK_ROUTER_SOAP_PORT turns it on and ITK_ROUTER_TLS_* give the files (relative to the cwd)', () => {
    const config = loadRouterConfig(FILE, {
      ITK_ROUTER_SOAP_PORT: '0',
      ITK_ROUTER_TLS_CA: join(DIR, 'router.crt'),
    });
    expect(config.webServices).toEqual({
      port: 0,
      host: '0.0.0.0',
      path: '/itk/v2',
      tls: {
        cert: join(DIR, 'router.crt'),
        key: join(DIR, 'router.key'),
        ca: join(DIR, 'router.crt'),
      },
      clockSkewMs: 120_000,
      retry: { initialDelayMs: 1000, maxDelayMs: 60000 },
    });
    expect(config.envOverrides).toEqual(['ITK_ROUTER_SOAP_PORT', 'ITK_ROUTER_TLS_CA']);
  });

  test('a port from the environment alone, with no TLS anywhere: refused, naming each file', () => {
    expect(
      problemsOf(() => loadRouterConfig(undefined, { ITK_ROUTER_SOAP_PORT: '8443' })).map(
        (p) => p.message,
      ),
    ).toEqual([
      'web services need tls.cert (or ITK_ROUTER_TLS_CERT): there is no plain-HTTP mode',
      'web services need tls.key (or ITK_ROUTER_TLS_KEY): there is no plain-HTTP mode',
      'web services need tls.ca (or ITK_ROUTER_TLS_CA): there is no plain-HTTP mode',
    ]);
  });

  test('a port that is not one is refused', () => {
    expect(
      problemsOf(() => loadRouterConfig(undefined, { ITK_ROUTER_SOAP_PORT: 'https' })).map(
        (p) => `${p.key}: ${p.message}`,
      ),
    ).toEqual(['ITK_ROUTER_SOAP_PORT: must be an integer port from 0 to 65535, got "https"']);
  });
});
