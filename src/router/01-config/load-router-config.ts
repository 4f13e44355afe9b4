/** Loads config/router.yaml: parse, fill defaults, refuse unknown keys, apply env overrides, freeze. */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, displayPath, throwIfProblems, type ConfigProblem } from './config-error.js';
import { deepFreeze } from '../00-common/deep-freeze.js';
import { readEnvOverrides, type EnvOverrides } from './env-overrides.js';
import { formatKeyPath, type KeySegment } from './key-path.js';
import { parseDuration, retentionConfig, type RawRetention } from './retention-config.js';
import type { AmqpTlsConfig, RouterConfig, StoreConfig } from './router-config.js';
import { checkSchema } from './schema-check.js';
import { webServicesConfig, type RawWebServices } from './web-services-config.js';
import { problemAt, readYamlSource, type YamlSource } from './yaml-source.js';

/** The file's value once the schema has accepted it and filled in every default. */
type RawConfig = Omit<
  RouterConfig,
  'file' | 'envOverrides' | 'store' | 'retention' | 'webServices' | 'console'
> & {
  readonly store: { readonly url: string };
  readonly retention: RawRetention;
  readonly webServices?: RawWebServices;
  readonly console: {
    readonly users: string;
    readonly sessionIdleMinutes: number;
    readonly auditRetention?: string;
  };
};

/**
 * Loads the router configuration. With no path, only the schema's defaults and the environment
 * apply, and the routes folder is `<cwd>/routes`. Relative paths in the file are relative to the
 * file; `sqlite:` paths are relative to the working directory. Every path comes back absolute.
 * @throws ConfigError naming file, line and key of every problem found.
 */
export function loadRouterConfig(path: string | undefined, env: NodeJS.ProcessEnv): RouterConfig {
  const cwd = process.cwd();
  const file = path === undefined ? undefined : resolve(cwd, path);
  let source: YamlSource | undefined;
  let data: unknown = {};
  if (file !== undefined) {
    const read = readYamlSource(file);
    if (read.source === undefined) throw new ConfigError(read.problems);
    source = read.source;
    data = source.value ?? {};
  }
  const problems: ConfigProblem[] = checkSchema('router', data, source);
  throwIfProblems(problems);
  const raw = data as RawConfig;
  const base = file === undefined ? cwd : dirname(file);
  const catalogues = raw.validation.catalogues.map((catalogue) => resolve(base, catalogue));
  problems.push(...crossCheck(raw, catalogues, source));
  const { overrides, problems: envProblems } = readEnvOverrides(env);
  problems.push(...envProblems);
  throwIfProblems(problems);
  const amqpUrl = overrides.amqpUrl ?? raw.amqp.url;
  const tls = amqpTlsConfig(raw.amqp.tls, base, overrides.amqpTls, cwd);
  problems.push(...checkAmqpTls(tls, amqpUrl, source));
  const ws = webServicesConfig(raw.webServices, base, overrides, cwd, (path, message) =>
    source === undefined
      ? { file: '(defaults)', key: formatKeyPath(path), message }
      : problemAt(source, path, message),
  );
  problems.push(...ws.problems);
  throwIfProblems(problems);

  const routes =
    overrides.routes !== undefined
      ? resolve(cwd, overrides.routes)
      : resolve(base, file === undefined ? 'routes' : raw.routes);
  const config: RouterConfig = {
    ...(file !== undefined && { file }),
    envOverrides: overrides.names,
    amqp: { ...raw.amqp, url: amqpUrl, ...(tls && { tls }) },
    routes,
    store: storeConfig(overrides.storeUrl ?? raw.store.url, cwd),
    router: raw.router,
    http: {
      ...raw.http,
      port: overrides.httpPort ?? raw.http.port,
      host: overrides.httpHost ?? raw.http.host,
      ...(raw.http.tls && {
        tls: { cert: resolve(base, raw.http.tls.cert), key: resolve(base, raw.http.tls.key) },
      }),
    },
    console: consoleConfig(
      raw.console,
      file === undefined ? resolve(cwd, 'config') : base,
      overrides.users,
      cwd,
    ),
    log: raw.log,
    limits: raw.limits,
    validation: { ...raw.validation, catalogues },
    retry: raw.retry,
    acks: raw.acks,
    retention: retentionConfig(raw.retention),
    ...(ws.config && { webServices: ws.config }),
  };
  return deepFreeze(config);
}

/** `amqp.tls` with its files made absolute (the file's relative to it, the environment's to cwd). */
function amqpTlsConfig(
  file: AmqpTlsConfig | undefined,
  base: string,
  env: EnvOverrides['amqpTls'],
  cwd: string,
): AmqpTlsConfig | undefined {
  if (!file && !env) return undefined;
  const pick = (part: 'ca' | 'cert' | 'key'): string | undefined =>
    env?.[part] !== undefined
      ? resolve(cwd, env[part])
      : file?.[part] !== undefined
        ? resolve(base, file[part])
        : undefined;
  const servername = env?.servername ?? file?.servername;
  const tls: AmqpTlsConfig = {
    ...(pick('ca') && { ca: pick('ca') }),
    ...(pick('cert') && { cert: pick('cert') }),
    ...(pick('key') && { key: pick('key') }),
    ...(servername && { servername }),
  };
  return tls;
}

/** The files exist, cert and key come together, and TLS goes with an amqps:// URL. */
function checkAmqpTls(
  tls: AmqpTlsConfig | undefined,
  url: string,
  source: YamlSource | undefined,
): ConfigProblem[] {
  if (!tls) return [];
  const problems: ConfigProblem[] = [];
  const at = (part: string, message: string): void => {
    const path: KeySegment[] = ['amqp', 'tls', ...(part ? [part] : [])];
    problems.push(
      source === undefined
        ? { file: '(defaults)', key: formatKeyPath(path), message }
        : problemAt(source, path, message),
    );
  };
  if (!url.startsWith('amqps://'))
    at('', 'TLS settings need an amqps:// broker URL (amqp.url or AMQP_URL)');
  for (const part of ['ca', 'cert', 'key'] as const) {
    const file = tls[part];
    if (file !== undefined && !existsSync(file)) at(part, `file not found: ${displayPath(file)}`);
  }
  if ((tls.cert === undefined) !== (tls.key === undefined))
    at(tls.cert === undefined ? 'key' : 'cert', 'a client certificate needs both cert and key');
  return problems;
}

function crossCheck(raw: RawConfig, catalogues: string[], source?: YamlSource): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (path: KeySegment[], message: string): void => {
    problems.push(
      source === undefined
        ? { file: '(defaults)', key: formatKeyPath(path), message }
        : problemAt(source, path, message),
    );
  };
  if (raw.retry.maxDelayMs < raw.retry.initialDelayMs) {
    at(
      ['retry', 'maxDelayMs'],
      `must not be less than retry.initialDelayMs (${raw.retry.initialDelayMs})`,
    );
  }
  catalogues.forEach((catalogue, index) => {
    if (!existsSync(catalogue)) {
      at(['validation', 'catalogues', index], `file not found: ${displayPath(catalogue)}`);
    }
  });
  return problems;
}

/** `sqlite:<path>` (relative to cwd; `sqlite::memory:` for a throw-away store) or `postgres://…`. */
function storeConfig(url: string, cwd: string): StoreConfig {
  if (!url.startsWith('sqlite:')) return { kind: 'postgres', url };
  const target = url.slice('sqlite:'.length);
  const path = target === ':memory:' || isAbsolute(target) ? target : resolve(cwd, target);
  return { kind: 'sqlite', url, path };
}

/** `console`: the users file made absolute (the file's relative to it, the environment's to cwd). */
function consoleConfig(
  raw: RawConfig['console'],
  base: string,
  envUsers: string | undefined,
  cwd: string,
): RouterConfig['console'] {
  const age = raw.auditRetention === undefined ? undefined : parseDuration(raw.auditRetention);
  return {
    users: envUsers !== undefined ? resolve(cwd, envUsers) : resolve(base, raw.users),
    sessionIdleMinutes: raw.sessionIdleMinutes,
    ...(age !== undefined && { auditRetentionSeconds: age }),
  };
}
