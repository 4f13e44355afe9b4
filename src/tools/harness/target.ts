/**
 * The router a run is pointed at, read the way the router reads it: the router config and the
 * same environment overrides (AMQP_URL with its vhost, ITK_ROUTER_ROUTES for the end points and
 * their broker users), so a harness can test any installation. Passwords of the end points'
 * broker users: given outright (the self-test), a credentials file (`user<TAB>password` lines, as
 * `itk-router provision --credentials` writes), ITK_PASSWORD_<USER> (as `provision` reads), else
 * ITK_ROUTER_PASSWORD, else the user name (as `itk-router send`).
 */
import fs from 'node:fs';
import {
  loadRouterConfig,
  loadRoutes,
  type RouterConfig,
  type Routes,
} from '../../router/01-config/index.js';
import { passwordVariables } from '../provision/index.js';
import { buildRouteTable, type RouteTable } from '../../router/05-routing/index.js';
import { topologyNames, type TopologyNames } from '../../router/02-transport/names.js';
import { redactUrl } from '../../router/00-common/redact-url.js';

export interface TargetOptions {
  /** A router config file; default: defaults plus the environment. */
  readonly configPath?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Passwords by broker user, tried first. */
  readonly passwords?: ReadonlyMap<string, string>;
  /** A file of `user<TAB>password` lines. */
  readonly credentialsFile?: string;
  /** The harness may consume the router's quarantine queue (only on a router of your own). */
  readonly quarantine?: boolean;
  /** The router's web-service gateway URL; default from `webServices` (host, port, path). */
  readonly gateway?: string;
  /** A folder `itk-router certs` made: ca.crt (and ca.key), <end point id>.crt/.key. */
  readonly certsDir?: string;
}

export interface Target {
  readonly config: RouterConfig;
  readonly routes: Routes;
  readonly table: RouteTable;
  readonly names: TopologyNames;
  /** The AMQP URL's own user: the harness's `$ops` sender and quarantine reader. */
  readonly opsUser: string;
  readonly quarantine: boolean;
  passwordOf(user: string): string;
  /** The broker URL without its password, for reports. */
  readonly brokerDisplay: string;
  readonly vhost: string;
  /** The gateway URL the harness calls as a web-service supplier, when known. */
  readonly gateway?: string;
  /** The certificates folder (web services), when given. */
  readonly certsDir?: string;
}

/**
 * The gateway URL of a router config: `https://<host>:<port><path>`, the wildcard host read as
 * the loopback address; undefined when web services are off or the port is chosen at start (0).
 */
export function gatewayOf(config: RouterConfig): string | undefined {
  const ws = config.webServices;
  if (!ws || ws.port === 0) return undefined;
  const host = ws.host === '0.0.0.0' || ws.host === '::' ? '127.0.0.1' : ws.host;
  return `https://${host.includes(':') ? `[${host}]` : host}:${ws.port}${ws.path}`;
}

/** `user<TAB>password` (or `user password`) lines; `#` comments and blank lines skipped. */
export function readCredentialsFile(file: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [user, ...rest] = trimmed.split(/\s+/);
    if (user && rest.length > 0) map.set(user, rest.join(' '));
  }
  return map;
}

export function openTarget(options: TargetOptions): Target {
  const config = loadRouterConfig(options.configPath, options.env);
  const routes = loadRoutes(config.routes, { routerAddress: config.router.address });
  const table = buildRouteTable(routes, { routerAddress: config.router.address });
  const url = new URL(config.amqp.url);
  const users = routes.endpoints.flatMap((e) => e.identities);
  const variables = passwordVariables(users);
  const fromFile = options.credentialsFile
    ? readCredentialsFile(options.credentialsFile)
    : new Map<string, string>();
  const opsUser = decodeURIComponent(url.username) || 'guest';
  const passwordOf = (user: string): string => {
    if (user === opsUser && url.password) return decodeURIComponent(url.password);
    const variable = variables.get(user);
    return (
      options.passwords?.get(user) ??
      fromFile.get(user) ??
      (variable ? options.env[variable] : undefined) ??
      options.env.ITK_ROUTER_PASSWORD ??
      user
    );
  };
  const path = url.pathname.slice(1);
  const gateway = options.gateway ?? gatewayOf(config);
  return {
    config,
    routes,
    table,
    names: topologyNames(config.amqp.prefix),
    opsUser,
    quarantine: options.quarantine === true,
    passwordOf,
    brokerDisplay: redactUrl(config.amqp.url),
    vhost: path === '' ? '/' : decodeURIComponent(path),
    ...(gateway ? { gateway } : {}),
    ...(options.certsDir ? { certsDir: options.certsDir } : {}),
  };
}
