/** The environment variables that override config/router.yaml, so a harness can point a stock install anywhere. */
import { ENVIRONMENT, type ConfigProblem } from './config-error.js';

/** The overrides found in the environment, already checked; paths are still as given. */
export interface EnvOverrides {
  readonly amqpUrl?: string;
  readonly routes?: string;
  readonly storeUrl?: string;
  readonly httpPort?: number;
  readonly httpHost?: string;
  /** ITK_ROUTER_SOAP_PORT: turns web services on. */
  readonly soapPort?: number;
  /** ITK_ROUTER_TLS_CERT, _KEY, _CA: the web-service TLS files (paths as given). */
  readonly soapTls?: { cert?: string; key?: string; ca?: string };
  /** ITK_ROUTER_USERS: the console's users file (path as given). */
  readonly users?: string;
  /** ITK_ROUTER_AMQP_TLS_CA, _CERT, _KEY (paths as given), _SERVERNAME. */
  readonly amqpTls?: { ca?: string; cert?: string; key?: string; servername?: string };
  /** Names of the variables that were set (and not empty). */
  readonly names: readonly string[];
}

/** Store URLs the router understands: `sqlite:<path>` or `postgres://…`. */
export const STORE_URL = /^(sqlite:.+|postgres(ql)?:\/\/.+)$/;
const AMQP_URL = /^amqps?:\/\//;
const PORT = /^\d{1,5}$/;

/** Reads the overrides; an empty variable counts as unset. */
export function readEnvOverrides(env: NodeJS.ProcessEnv): {
  overrides: EnvOverrides;
  problems: ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const names: string[] = [];
  const take = (name: string, check: (value: string) => string | undefined): string | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    names.push(name);
    const complaint = check(value);
    if (complaint === undefined) return value;
    problems.push({
      file: ENVIRONMENT,
      key: name,
      message: `${complaint}, got ${JSON.stringify(value)}`,
    });
    return undefined;
  };
  const amqpUrl = take('AMQP_URL', (v) =>
    AMQP_URL.test(v) ? undefined : 'must be an amqp:// or amqps:// URL',
  );
  const routes = take('ITK_ROUTER_ROUTES', () => undefined);
  const storeUrl = take('ITK_ROUTER_STORE', (v) =>
    STORE_URL.test(v) ? undefined : 'must be sqlite:<path> or postgres://…',
  );
  const port = take('ITK_ROUTER_HTTP_PORT', (v) =>
    PORT.test(v) && Number(v) <= 65535 ? undefined : 'must be an integer port from 0 to 65535',
  );
  const host = take('ITK_ROUTER_HTTP_HOST', (v) =>
    /^[A-Za-z0-9.:\-[\]]+$/.test(v) ? undefined : 'must be a host name or IP address',
  );
  const soapPort = take('ITK_ROUTER_SOAP_PORT', (v) =>
    PORT.test(v) && Number(v) <= 65535 ? undefined : 'must be an integer port from 0 to 65535',
  );
  const soapTls: Record<string, string> = {};
  for (const part of ['cert', 'key', 'ca'] as const) {
    const value = take(`ITK_ROUTER_TLS_${part.toUpperCase()}`, () => undefined);
    if (value !== undefined) soapTls[part] = value;
  }
  const users = take('ITK_ROUTER_USERS', () => undefined);
  const amqpTls: Record<string, string> = {};
  for (const part of ['ca', 'cert', 'key', 'servername'] as const) {
    const value = take(`ITK_ROUTER_AMQP_TLS_${part.toUpperCase()}`, (v) =>
      part !== 'servername' || /^[A-Za-z0-9.-]+$/.test(v) ? undefined : 'must be a host name',
    );
    if (value !== undefined) amqpTls[part] = value;
  }
  const overrides: EnvOverrides = {
    ...(amqpUrl !== undefined && { amqpUrl }),
    ...(routes !== undefined && { routes }),
    ...(storeUrl !== undefined && { storeUrl }),
    ...(port !== undefined && { httpPort: Number(port) }),
    ...(host !== undefined && { httpHost: host }),
    ...(users !== undefined && { users }),
    ...(Object.keys(amqpTls).length > 0 && { amqpTls }),
    ...(soapPort !== undefined && { soapPort: Number(soapPort) }),
    ...(Object.keys(soapTls).length > 0 && { soapTls }),
    names,
  };
  return { overrides, problems };
}
