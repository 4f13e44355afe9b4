/** Loads every `*.yaml` of a routes folder: parse, check each file's shape, merge, cross-check, freeze. */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkEndpointClaims } from './check-endpoint-claims.js';
import { checkRouteReferences } from './check-route-references.js';
import { ConfigError, throwIfProblems, type ConfigProblem } from './config-error.js';
import { deepFreeze } from '../00-common/deep-freeze.js';
import { loadRouterConfig } from './load-router-config.js';
import { parseDuration } from './retention-config.js';
import type {
  Endpoint,
  EndpointDelivery,
  RouteConditions,
  RouteRule,
  Routes,
  SourceRef,
} from './routes-config.js';
import {
  mergeRouteFiles,
  type Located,
  type MergedRoutes,
  type RawEndpoint,
  type RawRoute,
  type RawRouteFile,
} from './routes-merge.js';
import { checkSchema } from './schema-check.js';
import { locate, readYamlSource, type YamlSource } from './yaml-source.js';

/** What the route files are checked against besides each other. */
export interface LoadRoutesOptions {
  /**
   * The router's own address (router.address), which no end point may claim.
   * Default: the router configuration's default.
   */
  readonly routerAddress?: string;
}

/**
 * Loads and merges the route files of a folder, in file-name order.
 * Every problem is reported in one round: the cross-references of the files that have the right
 * shape are checked even when another file has not, leaving out what that file may define.
 * @throws ConfigError naming file, line and key of every problem found.
 */
export function loadRoutes(folder: string, options: LoadRoutesOptions = {}): Routes {
  const root = resolve(folder);
  const files = routeFiles(root);
  const problems: ConfigProblem[] = [];
  const accepted: { source: YamlSource; data: RawRouteFile }[] = [];
  const rejected: unknown[] = [];
  let unreadable = false;
  for (const file of files) {
    const read = readYamlSource(file);
    problems.push(...read.problems);
    if (read.source === undefined) {
      unreadable = true;
      continue;
    }
    const data = read.source.value ?? {};
    const schemaProblems = checkSchema('routes', data, read.source);
    problems.push(...schemaProblems);
    if (schemaProblems.length === 0) {
      accepted.push({ source: read.source, data: data as RawRouteFile });
    } else rejected.push(data);
  }
  // A file that cannot be parsed may define anything: its references wait for the next round.
  if (unreadable) throwIfProblems(problems);
  const { merged, problems: mergeProblems } = mergeRouteFiles(accepted);
  const routerAddress = options.routerAddress ?? loadRouterConfig(undefined, {}).router.address;
  problems.push(
    ...mergeProblems,
    ...checkEndpointClaims(merged, routerAddress),
    ...checkRouteReferences(merged).filter((p) => !mayBeDefinedIn(rejected, p.message)),
  );
  throwIfProblems(problems);
  return deepFreeze(toRoutes(root, files, merged));
}

/**
 * Whether a reference problem ("end point "x" is not defined", an unknown plan type) may come only
 * from a file refused for its shape, which defines that end point or a careplans section.
 */
function mayBeDefinedIn(rejected: readonly unknown[], message: string): boolean {
  const record = (v: unknown): Record<string, unknown> | undefined =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  const endpoint = /^end point "(.*)" is not defined$/.exec(message)?.[1];
  const planType = /^plan type ".*" is not in careplans\.planTypes/.test(message);
  return rejected.some((data) => {
    const file = record(data);
    if (!file) return false;
    if (endpoint !== undefined) return Object.hasOwn(record(file.endpoints) ?? {}, endpoint);
    return planType && file.careplans !== undefined;
  });
}

/** The folder's `*.yaml` files, sorted by name. */
function routeFiles(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
      .map((entry) => entry.name);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError([
      { file: folder, key: '', message: `cannot read the routes folder (${reason})` },
    ]);
  }
  if (names.length === 0) {
    throw new ConfigError([
      { file: folder, key: '', message: 'no *.yaml route files in the folder' },
    ]);
  }
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((name) => join(folder, name));
}

function toRoutes(folder: string, files: string[], merged: MergedRoutes): Routes {
  const endpoints = [...merged.endpoints].map(([id, { value, ...at }]): Endpoint => {
    const { delivery, ...rest } = value;
    return {
      id,
      ...rest,
      ...(delivery && { delivery: endpointDelivery(delivery, dirname(at.source.file)) }),
      source: sourceRef(at),
    };
  });
  const routes = merged.routes.map(({ value, ...at }) => toRule(value, sourceRef(at)));
  const careplans = merged.careplans && {
    locatorAddress: merged.careplans.value.locatorAddress,
    planTypes: merged.careplans.value.planTypes,
    subscriptions: merged.careplans.value.subscriptions ?? [],
    source: sourceRef(merged.careplans),
  };
  return { folder, files, endpoints, routes, ...(careplans && { careplans }) };
}

/** `delivery` with its timeout in ms and its TLS files absolute (relative to the route file). */
function endpointDelivery(
  raw: NonNullable<RawEndpoint['delivery']>,
  base: string,
): EndpointDelivery {
  const tls = raw.tls && {
    ...(raw.tls.ca && { ca: resolve(base, raw.tls.ca) }),
    ...(raw.tls.cert && { cert: resolve(base, raw.tls.cert) }),
    ...(raw.tls.key && { key: resolve(base, raw.tls.key) }),
  };
  return {
    url: raw.url,
    timeoutMs: (parseDuration(raw.timeout) ?? 30) * 1000,
    concurrency: raw.concurrency,
    ...(tls && { tls }),
  };
}

function toRule(raw: RawRoute, source: SourceRef): RouteRule {
  const when: Record<string, readonly string[]> = {};
  for (const [key, value] of Object.entries(raw.when ?? {})) {
    when[key] = typeof value === 'string' ? [value] : value;
  }
  return {
    name: raw.name,
    when: when as RouteConditions,
    ...(raw.copyTo && { copyTo: raw.copyTo }),
    ...(raw.reject && { reject: { code: String(raw.reject.code), text: raw.reject.text } }),
    source,
  };
}

function sourceRef(at: Omit<Located<unknown>, 'value'>): SourceRef {
  const line = locate(at.source, at.path, true)?.line;
  return line === undefined ? { file: at.source.file } : { file: at.source.file, line };
}
