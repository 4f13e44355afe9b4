/** The merged route files (routes/*.yaml): end points, routing rules and the care-plan service. */

/** Where something was defined, for messages that point an operator at it. */
export interface SourceRef {
  /** Absolute path of the route file. */
  readonly file: string;
  /** 1-based line. */
  readonly line?: number;
}

/** A registered end point: a supplier system with its own queue `<prefix>.endpoint.<id>`. */
export interface Endpoint {
  /** Matches `^[a-z0-9-]+$`; `locator` and `router` are reserved. */
  readonly id: string;
  /** Display name, e.g. "Riverside Medical Practice". */
  readonly name: string;
  /** Addresses it receives; an address ending `:*` claims every address below it. */
  readonly addresses: readonly string[];
  /** Broker users (AMQP `user_id`) that may send as this end point. */
  readonly identities: readonly string[];
  /**
   * TLS client certificates that prove this end point on web services, as written: a subject CN
   * or `sha256:<hex>` (`certificateKey` gives the form the route table keys them by).
   */
  readonly certificates: readonly string[];
  /** Web-service delivery: the router calls this URL for each message (docs/web-services.md). */
  readonly delivery?: EndpointDelivery;
  /** Who sends positive inf acks for it: the end point itself, or the router on its behalf. */
  readonly acks: 'endpoint' | 'router';
  readonly source: SourceRef;
}

/** How the router calls a web-service end point. */
export interface EndpointDelivery {
  /** An `https://` URL. */
  readonly url: string;
  readonly timeoutMs: number;
  /** Calls in flight at once (1: queue order). */
  readonly concurrency: number;
  /** Absolute PEM paths overriding `webServices.tls` for this end point. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
}

/**
 * A certificate name as the route table keys it: a `sha256:` fingerprint in lower-case hex without
 * colons (it may be written in either case, with colons), anything else (a CN) as written.
 */
export function certificateKey(name: string): string {
  const m = /^sha256:([0-9A-Fa-f:]+)$/.exec(name.trim());
  return m ? `sha256:${m[1]!.replace(/:/g, '').toLowerCase()}` : name.trim();
}

/** The conditions of a rule; each is a list of `*` globs, and every condition given must hold. */
export interface RouteConditions {
  readonly service?: readonly string[];
  readonly interaction?: readonly string[];
  readonly planType?: readonly string[];
  /** Sender end point ids. */
  readonly from?: readonly string[];
  /** Addresses: holds when any address in the message's address list matches. */
  readonly to?: readonly string[];
}

/** A routing rule: copy matching messages to more end points, or refuse them. */
export interface RouteRule {
  readonly name: string;
  readonly when: RouteConditions;
  /** End point ids that also receive the message (exactly one of copyTo / reject is set). */
  readonly copyTo?: readonly string[];
  /** Refuse the message with this ITK error code and text. */
  readonly reject?: { readonly code: string; readonly text: string };
  readonly source: SourceRef;
}

/** Who receives every notification of some plan types. */
export interface Subscription {
  readonly endpoint: string;
  readonly planTypes: readonly string[];
}

/** The router's care-plan service (the locator). */
export interface CarePlansConfig {
  /** The address the locator answers on. */
  readonly locatorAddress: string;
  /** The plan type codes this locality uses. */
  readonly planTypes: readonly string[];
  readonly subscriptions: readonly Subscription[];
  readonly source: SourceRef;
}

/** Every route file of a folder, merged and checked. Frozen once loaded. */
export interface Routes {
  /** Absolute path of the folder. */
  readonly folder: string;
  /** The files read, in the order their routes were concatenated. */
  readonly files: readonly string[];
  /** End points in the order they were defined. */
  readonly endpoints: readonly Endpoint[];
  /** Rules in evaluation order. */
  readonly routes: readonly RouteRule[];
  /** Absent when no file has a `careplans` section. */
  readonly careplans?: CarePlansConfig;
}
