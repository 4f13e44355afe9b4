/**
 * The `webServices` section of config/router.yaml with its environment overrides: on only when a
 * port is set (`webServices.port` or ITK_ROUTER_SOAP_PORT), and then the three TLS files are
 * required (there is no plain-HTTP mode) and must exist. Paths from the file are relative to it,
 * from the environment relative to the working directory. Pure but for `existsSync`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { displayPath, type ConfigProblem } from './config-error.js';
import type { EnvOverrides } from './env-overrides.js';
import type { KeySegment } from './key-path.js';
import { parseDuration } from './retention-config.js';
import type { WebServicesConfig } from './router-config.js';

/** The section as the schema accepted it (defaults filled in, durations still text). */
export interface RawWebServices {
  readonly port?: number;
  readonly host: string;
  readonly path: string;
  readonly tls?: { readonly cert?: string; readonly key?: string; readonly ca?: string };
  readonly clockSkew: string;
  readonly retry: { readonly initialDelayMs: number; readonly maxDelayMs: number };
}

/** Schema defaults, for a gateway turned on by ITK_ROUTER_SOAP_PORT alone. */
const DEFAULTS: RawWebServices = {
  host: '0.0.0.0',
  path: '/itk',
  clockSkew: '5m',
  retry: { initialDelayMs: 1000, maxDelayMs: 60000 },
};

export function webServicesConfig(
  raw: RawWebServices | undefined,
  base: string,
  env: EnvOverrides,
  cwd: string,
  at: (path: KeySegment[], message: string) => ConfigProblem,
): { config?: WebServicesConfig; problems: ConfigProblem[] } {
  const section = raw ?? DEFAULTS;
  const port = env.soapPort ?? section.port;
  if (port === undefined) return { problems: [] };
  const problems: ConfigProblem[] = [];
  const file = (part: 'cert' | 'key' | 'ca'): string | undefined => {
    const fromEnv = env.soapTls?.[part];
    const fromFile = section.tls?.[part];
    const path =
      fromEnv !== undefined ? resolve(cwd, fromEnv) : fromFile && resolve(base, fromFile);
    if (path === undefined) {
      problems.push(
        at(
          ['webServices', 'tls', part],
          `web services need tls.${part} (or ITK_ROUTER_TLS_${part.toUpperCase()}): there is no plain-HTTP mode`,
        ),
      );
    } else if (!existsSync(path)) {
      problems.push(at(['webServices', 'tls', part], `file not found: ${displayPath(path)}`));
    }
    return path;
  };
  const tls = { cert: file('cert'), key: file('key'), ca: file('ca') };
  if (section.retry.maxDelayMs < section.retry.initialDelayMs) {
    problems.push(
      at(
        ['webServices', 'retry', 'maxDelayMs'],
        `must not be less than webServices.retry.initialDelayMs (${section.retry.initialDelayMs})`,
      ),
    );
  }
  if (problems.length > 0 || !tls.cert || !tls.key || !tls.ca) return { problems };
  return {
    config: {
      port,
      host: section.host,
      path: section.path,
      tls: { cert: tls.cert, key: tls.key, ca: tls.ca },
      clockSkewMs: (parseDuration(section.clockSkew) ?? 300) * 1000,
      retry: section.retry,
    },
    problems,
  };
}
