/**
 * The broker accounts the routes call for, as a pure function: routes in, plan out. Each broker
 * user an end point lists in `identities` may publish only to the inbound exchange and read only
 * that end point's queue; the router's own user may declare, publish and consume the contract
 * names and nothing else. Printing the plan is the renderers' job (rabbitmqctl, definitions).
 */
import type { Endpoint } from '../../router/01-config/index.js';
import { deepFreeze } from '../../router/00-common/deep-freeze.js';
import { topologyNames } from '../../router/02-transport/names.js';
import { endpointPermissions, routerPermissions, type Permissions } from './permissions.js';
import { ProvisionError } from './provision-error.js';

/** One broker user and its permissions in the plan's vhost. */
export interface BrokerAccount {
  readonly user: string;
  readonly role: 'endpoint' | 'router';
  /** The end point it sends as and reads for (role `endpoint`). */
  readonly endpointId?: string;
  /** What the account is for, in words: a comment in the output. */
  readonly purpose: string;
  readonly permissions: Permissions;
}

/** Every account for one vhost; frozen. */
export interface ProvisionPlan {
  readonly vhost: string;
  readonly prefix: string;
  /** The router's account first (when planned), then the end points' in routes order. */
  readonly accounts: readonly BrokerAccount[];
  /** Things an operator should know, e.g. an end point with no identity to read its queue. */
  readonly notes: readonly string[];
}

export interface ProvisionInput {
  /** The end points of the routes (only `id`, `name`, `identities` and `delivery` are read). */
  readonly endpoints: readonly Pick<Endpoint, 'id' | 'name' | 'identities' | 'delivery'>[];
  /** The name prefix (`amqp.prefix`, default `itk`). */
  readonly prefix: string;
  /** The vhost the permissions apply to (`/` is the default vhost). */
  readonly vhost: string;
  /** The router's own broker user; omit it to plan the end points' accounts only. */
  readonly routerUser?: string;
  /** The router's web-service gateway is on (`webServices.enabled`): it publishes inbound. */
  readonly gateway?: boolean;
}

/** Plans the accounts. @throws ProvisionError when a user would get two roles, or a name is bad. */
export function planProvisioning(input: ProvisionInput): ProvisionPlan {
  if (input.vhost === '')
    throw new ProvisionError('the vhost must not be empty (the default is "/")');
  let names;
  try {
    names = topologyNames(input.prefix);
    for (const endpoint of input.endpoints) names.endpointQueue(endpoint.id);
  } catch (err) {
    throw new ProvisionError((err as Error).message, { cause: err });
  }
  const accounts: BrokerAccount[] = [];
  const notes: string[] = [];
  const owner = new Map<string, string>();
  const claim = (user: string, what: string): void => {
    checkUserName(user);
    const first = owner.get(user);
    if (first !== undefined) {
      throw new ProvisionError(`broker user "${user}" would be both ${first} and ${what}`);
    }
    owner.set(user, what);
  };
  if (input.routerUser !== undefined) {
    claim(input.routerUser, 'the router');
    const web = {
      gateway: input.gateway ?? false,
      deliveryEndpoints: input.endpoints.filter((e) => e.delivery).map((e) => e.id),
    };
    const also = [
      ...(web.gateway
        ? [`publishes the web-service gateway's calls to ${names.inboundExchange}`]
        : []),
      ...(web.deliveryEndpoints.length > 0
        ? [`consumes the queues of ${web.deliveryEndpoints.join(', ')} (web-service delivery)`]
        : []),
    ];
    accounts.push({
      user: input.routerUser,
      role: 'router',
      purpose: [
        `the router: declares the ${names.prefix}.* names, consumes ${names.routerInboundQueue}, delivers through ${names.deliverExchange}`,
        ...also,
      ].join('; '),
      permissions: routerPermissions(names, web),
    });
  }
  for (const endpoint of input.endpoints) {
    const queue = names.endpointQueue(endpoint.id);
    if (endpoint.identities.length === 0) {
      notes.push(
        `end point ${endpoint.id} lists no identities: no account can send as it or read ${queue}`,
      );
    }
    for (const user of endpoint.identities) {
      claim(user, `an identity of end point ${endpoint.id}`);
      accounts.push({
        user,
        role: 'endpoint',
        endpointId: endpoint.id,
        purpose: `end point ${endpoint.id} (${endpoint.name}): publishes to ${names.inboundExchange}, reads ${queue}`,
        permissions: endpointPermissions(names, endpoint.id),
      });
    }
  }
  return deepFreeze({ vhost: input.vhost, prefix: names.prefix, accounts, notes });
}

/** The routes schema refuses whitespace; a leading `-` would read as an option to rabbitmqctl. */
function checkUserName(user: string): void {
  if (!/^[^\s-]\S*$/.test(user)) {
    throw new ProvisionError(
      `broker user ${JSON.stringify(user)}: use a non-empty name without whitespace, not starting with "-"`,
    );
  }
}
