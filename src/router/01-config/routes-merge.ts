/** Merges route files: end points by id, routes in file order, care plans from at most one file. */
import { displayPath, type ConfigProblem } from './config-error.js';
import type { KeySegment } from './key-path.js';
import { locate, problemAt, type YamlSource } from './yaml-source.js';

/** A value from a route file, with where it came from. */
export interface Located<T> {
  readonly value: T;
  readonly source: YamlSource;
  readonly path: readonly KeySegment[];
}

/** An end point as the schema accepted it (defaults filled in). */
export interface RawEndpoint {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly identities: readonly string[];
  readonly certificates: readonly string[];
  readonly delivery?: {
    readonly url: string;
    readonly timeout: string;
    readonly concurrency: number;
    readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  };
  readonly acks: 'endpoint' | 'router';
}

/** A route as the schema accepted it. */
export interface RawRoute {
  readonly name: string;
  readonly when?: Readonly<Record<string, string | readonly string[]>>;
  readonly copyTo?: readonly string[];
  readonly reject?: { readonly code: string | number; readonly text: string };
}

/** The care-plan section as the schema accepted it. */
export interface RawCarePlans {
  readonly locatorAddress: string;
  readonly planTypes: readonly string[];
  readonly subscriptions?: readonly {
    readonly endpoint: string;
    readonly planTypes: readonly string[];
  }[];
}

/** One route file's value once the schema has accepted it. */
export interface RawRouteFile {
  readonly endpoints?: Readonly<Record<string, RawEndpoint>>;
  readonly routes?: readonly RawRoute[];
  readonly careplans?: RawCarePlans;
}

/** Every route file merged, each part still knowing its file and line. */
export interface MergedRoutes {
  readonly endpoints: ReadonlyMap<string, Located<RawEndpoint>>;
  readonly routes: readonly Located<RawRoute>[];
  readonly careplans?: Located<RawCarePlans>;
}

/** Merges files given in file-name order; a second definition of an end point or of careplans is a problem. */
export function mergeRouteFiles(files: readonly { source: YamlSource; data: RawRouteFile }[]): {
  merged: MergedRoutes;
  problems: ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const endpoints = new Map<string, Located<RawEndpoint>>();
  const routes: Located<RawRoute>[] = [];
  let careplans: Located<RawCarePlans> | undefined;
  for (const { source, data } of files) {
    for (const [id, value] of Object.entries(data.endpoints ?? {})) {
      const path = ['endpoints', id];
      const first = endpoints.get(id);
      if (first === undefined) endpoints.set(id, { value, source, path });
      else
        problems.push(
          problemAt(source, path, `end point "${id}" is already defined at ${where(first)}`, true),
        );
    }
    (data.routes ?? []).forEach((value, index) =>
      routes.push({ value, source, path: ['routes', index] }),
    );
    if (data.careplans !== undefined) {
      const path = ['careplans'];
      if (careplans === undefined) careplans = { value: data.careplans, source, path };
      else
        problems.push(
          problemAt(
            source,
            path,
            `a careplans section is already defined at ${where(careplans)}; only one file may have one`,
            true,
          ),
        );
    }
  }
  return { merged: { endpoints, routes, ...(careplans && { careplans }) }, problems };
}

/** `file:line` of a located value, for messages that point at an earlier definition. */
export function where(located: Located<unknown>): string {
  const line = locate(located.source, located.path, true)?.line;
  const file = displayPath(located.source.file);
  return line === undefined ? file : `${file}:${line}`;
}
