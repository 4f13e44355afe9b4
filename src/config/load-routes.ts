/** Loads every `*.yaml` of a routes folder: parse, check each file's shape, merge, cross-check, freeze. */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkEndpointClaims } from './check-endpoint-claims.js';
import { checkRouteReferences } from './check-route-references.js';
import { ConfigError, throwIfProblems, type ConfigProblem } from './config-error.js';
import { deepFreeze } from './deep-freeze.js';
import { loadRouterConfig } from './load-router-config.js';
import type { Endpoint, RouteConditions, RouteRule, Routes, SourceRef } from './routes-config.js';
import {
  mergeRouteFiles,
  type Located,
  type MergedRoutes,
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
 * Cross-references are checked once every file has the right shape.
 * @throws ConfigError naming file, line and key of every problem found.
 */
export function loadRoutes(folder: string, options: LoadRoutesOptions = {}): Routes {
  const root = resolve(folder);
  const files = routeFiles(root);
  const problems: ConfigProblem[] = [];
  const accepted: { source: YamlSource; data: RawRouteFile }[] = [];
  for (const file of files) {
    const read = readYamlSource(file);
    problems.push(...read.problems);
    if (read.source === undefined) continue;
    const data = read.source.value ?? {};
    const schemaProblems = checkSchema('routes', data, read.source);
    problems.push(...schemaProblems);
    if (schemaProblems.length === 0) {
      accepted.push({ source: read.source, data: data as RawRouteFile });
    }
  }
  throwIfProblems(problems);
  const { merged, problems: mergeProblems } = mergeRouteFiles(accepted);
  const routerAddress = options.routerAddress ?? loadRouterConfig(undefined, {}).router.address;
  problems.push(
    ...mergeProblems,
    ...checkEndpointClaims(merged, routerAddress),
    ...checkRouteReferences(merged),
  );
  throwIfProblems(problems);
  return deepFreeze(toRoutes(root, files, merged));
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
  const endpoints = [...merged.endpoints].map(([id, { value, ...at }]): Endpoint => ({
    id,
    ...value,
    source: sourceRef(at),
  }));
  const routes = merged.routes.map(({ value, ...at }) => toRule(value, sourceRef(at)));
  const careplans = merged.careplans && {
    locatorAddress: merged.careplans.value.locatorAddress,
    planTypes: merged.careplans.value.planTypes,
    subscriptions: merged.careplans.value.subscriptions ?? [],
    source: sourceRef(merged.careplans),
  };
  return { folder, files, endpoints, routes, ...(careplans && { careplans }) };
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
