/**
 * What every case of one pack run shares: the pack, the router under test, the roles bound to
 * end points, the broker session, the validator, and the values placeholders read
 * (`{{ep.<role>.address}}`, `{{router.identity}}`, `{{locator}}`, `{{unknownAddress}}`,
 * `{{vars.<name>}}`, `{{route.<name>.code}}`…).
 */
import type { Validator } from '../../router/04-validation/create-validator.js';
import { unknownAddress, type Bindings, type EndpointView } from './bindings.js';
import type { BrokerSession } from './broker-session.js';
import { HarnessError } from './harness-error.js';
import { XPATH_NAMESPACES, type Pack } from './model.js';
import type { Target } from './target.js';
import type { NamespaceMap } from './xpath.js';
import type { WebSession } from './web-session.js';

/** What the system under test is asked to do, for a hook that does it (the self-test's). */
export interface ActionRequest {
  readonly id: string;
  readonly text: string;
  readonly with: Readonly<Record<string, string>>;
  readonly bindings: Bindings;
  readonly target: Target;
}

export type ActionHook = (request: ActionRequest) => Promise<void>;

export interface RunOptions {
  /** Role → end point id, over the packs' defaults. */
  readonly roles?: Readonly<Record<string, string>>;
  /** Pack variables, over their defaults. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Multiplies every wait (`within`, `for`): for a slow router. Default 1. */
  readonly timeScale?: number;
  /** Hooks that do what `action` steps ask, by action id; otherwise the text is shown. */
  readonly actions?: Readonly<Record<string, ActionHook>>;
  /** Shows an action's text to whoever runs the pack (default: standard error). */
  readonly prompt?: (text: string) => void;
  /** Runs only the cases it accepts. */
  readonly caseFilter?: (caseId: string) => boolean;
}

export interface PackContext {
  readonly pack: Pack;
  readonly target: Target;
  readonly bindings: Bindings;
  readonly session: BrokerSession;
  /** The harness on web services, when the pack uses them. */
  readonly web?: WebSession;
  readonly validator: Validator;
  readonly namespaces: NamespaceMap;
  readonly values: Readonly<Record<string, unknown>>;
  readonly vars: Readonly<Record<string, string>>;
  readonly options: RunOptions;
  /** The end point id of a role, `router`, `quarantine` or `$ops` as they are. */
  endpointOf(role: string): string;
  /** The pack's role for an end point id. */
  roleOf(endpointId: string): string | undefined;
  scaled(ms: number): number;
}

function varsOf(pack: Pack, given: Readonly<Record<string, string>>): Record<string, string> {
  const vars: Record<string, string> = {};
  const missing: string[] = [];
  for (const v of pack.vars) {
    const value = given[v.name] ?? v.default;
    if (value === undefined) missing.push(`${v.name}${v.description ? ` (${v.description})` : ''}`);
    else vars[v.name] = value;
  }
  if (missing.length > 0)
    throw new HarnessError(`pack ${pack.name} needs --var for: ${missing.join('; ')}`);
  return vars;
}

function routeValues(target: Target): Record<string, unknown> {
  return Object.fromEntries(
    target.routes.routes.map((r) => [
      r.name,
      {
        name: r.name,
        ...(r.reject ? { code: r.reject.code, text: r.reject.text } : {}),
        ...(r.when.service?.[0] ? { service: r.when.service[0] } : {}),
        ...(r.when.interaction?.[0] ? { interaction: r.when.interaction[0] } : {}),
        ...(r.when.planType?.[0] ? { planType: r.when.planType[0] } : {}),
        ...(r.copyTo?.[0] ? { copyTo: r.copyTo[0] } : {}),
      },
    ]),
  );
}

export function packContext(
  pack: Pack,
  target: Target,
  bindings: Bindings,
  session: BrokerSession,
  validator: Validator,
  options: RunOptions,
  web?: WebSession,
): PackContext {
  const vars = varsOf(pack, options.vars ?? {});
  const ep: Record<string, EndpointView> = Object.fromEntries(bindings.roles);
  const byEndpoint = new Map<string, string>();
  for (const [role, view] of bindings.roles)
    if (!byEndpoint.has(view.id)) byEndpoint.set(view.id, role);
  const values = {
    ep,
    router: { address: target.config.router.address, identity: target.config.router.identity },
    locator: target.table.locatorAddress ?? '',
    unknownAddress: unknownAddress(target),
    vars,
    route: routeValues(target),
    setup: {},
  };
  const scale = options.timeScale ?? 1;
  return {
    pack,
    target,
    bindings,
    session,
    ...(web ? { web } : {}),
    validator,
    namespaces: { ...XPATH_NAMESPACES, ...pack.namespaces },
    values,
    vars,
    options,
    endpointOf: (role) => bindings.roles.get(role)?.id ?? role,
    roleOf: (id) => byEndpoint.get(id),
    scaled: (ms) => Math.round(ms * scale),
  };
}
