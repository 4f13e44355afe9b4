/** Cross-checks of routes and subscriptions: every end point, plan type and error code they name exists. */
import { ITK_ERRORS } from '../00-common/itk-errors.js';
import { compileGlobs, isGlob } from '../00-common/glob.js';
import type { ConfigProblem } from './config-error.js';
import type { KeySegment } from './key-path.js';
import { where, type Located, type MergedRoutes, type RawRoute } from './routes-merge.js';
import { problemAt } from './yaml-source.js';

type Report = (path: readonly KeySegment[], message: string, onKey?: boolean) => void;

/** Checks every route and subscription against the merged end points and plan types. */
export function checkRouteReferences(merged: MergedRoutes): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const endpointIds = [...merged.endpoints.keys()];
  const planTypes = merged.careplans?.value.planTypes ?? [];
  const noPlanTypes = merged.careplans === undefined ? ' (no careplans section defines any)' : '';
  const names = new Map<string, Located<RawRoute>>();
  for (const route of merged.routes) {
    const report: Report = (path, message, onKey) =>
      problems.push(problemAt(route.source, [...route.path, ...path], message, onKey));
    const { name, copyTo, reject, when = {} } = route.value;
    const first = names.get(name);
    if (first !== undefined) {
      report(['name'], `route name "${name}" is already used at ${where(first)}`);
    } else {
      names.set(name, route);
    }
    if (copyTo !== undefined && reject !== undefined) {
      report(['reject'], 'a route has copyTo or reject, not both', true);
    }
    if (copyTo === undefined && reject === undefined) report([], 'a route needs copyTo or reject');
    copyTo?.forEach((id, index) => {
      if (!merged.endpoints.has(id)) report(['copyTo', index], `end point "${id}" is not defined`);
    });
    if (reject !== undefined && !Object.hasOwn(ITK_ERRORS, String(reject.code))) {
      const known = Object.keys(ITK_ERRORS).join(', ');
      report(['reject', 'code'], `"${reject.code}" is not an ITK error code (one of ${known})`);
    }
    checkPatterns(when.from, ['when', 'from'], endpointIds, 'end point', ' is not defined', report);
    checkPatterns(
      when.planType,
      ['when', 'planType'],
      planTypes,
      'plan type',
      ` is not in careplans.planTypes${noPlanTypes}`,
      report,
    );
  }
  const careplans = merged.careplans;
  careplans?.value.subscriptions?.forEach((subscription, index) => {
    const report: Report = (path, message) =>
      problems.push(
        problemAt(careplans.source, [...careplans.path, 'subscriptions', index, ...path], message),
      );
    if (!merged.endpoints.has(subscription.endpoint)) {
      report(['endpoint'], `end point "${subscription.endpoint}" is not defined`);
    }
    subscription.planTypes.forEach((planType, typeIndex) => {
      if (!planTypes.includes(planType)) {
        report(['planTypes', typeIndex], `plan type "${planType}" is not in careplans.planTypes`);
      }
    });
  });
  return problems;
}

/** Each literal must name a known value; each glob must match at least one. */
function checkPatterns(
  patterns: string | readonly string[] | undefined,
  path: KeySegment[],
  known: readonly string[],
  what: string,
  missing: string,
  report: Report,
): void {
  if (patterns === undefined) return;
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  list.forEach((pattern, index) => {
    const at = typeof patterns === 'string' ? path : [...path, index];
    if (!isGlob(pattern) && !known.includes(pattern)) report(at, `${what} "${pattern}"${missing}`);
    if (isGlob(pattern) && !known.some((value) => compileGlobs([pattern]).test(value))) {
      report(at, `"${pattern}" matches no ${what}`);
    }
  });
}
