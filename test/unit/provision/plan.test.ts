/** The provisioning plan is a pure function of the routes: who may do what, on which names. */
import { fileURLToPath } from 'node:url';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import {
  planProvisioning,
  ProvisionError,
  type Permissions,
  type ProvisionPlan,
} from '../../../src/tools/provision/index.js';

const ROUTES = fileURLToPath(new URL('../../../routes/', import.meta.url));

const endpoints = [
  { id: 'gp', name: 'A GP', identities: ['gp-user'] },
  { id: 'community', name: 'Community', identities: ['community-a', 'community-b'] },
];

/** Whether a permission regex (as RabbitMQ applies it: a match anywhere) allows `name`. */
const allows = (regex: string, name: string) => new RegExp(regex).test(name);

/** The names among `candidates` that one kind of permission allows. */
function allowed(permissions: Permissions, kind: keyof Permissions, candidates: string[]) {
  return candidates.filter((name) => allows(permissions[kind], name));
}

const CANDIDATES = [
  'itk.inbound',
  'itk.deliver',
  'itk.router.inbound',
  'itk.router.quarantine',
  'itk.endpoint.gp',
  'itk.endpoint.community',
  'itk.endpoint.gp-2',
  'amq.default',
  'amq.topic',
  'itkXinbound',
  'x.itk.inbound',
  'itk.inbound.x',
  'other.endpoint.gp',
  'gp-user',
];

function account(plan: ProvisionPlan, user: string) {
  const found = plan.accounts.find((a) => a.user === user);
  if (!found) throw new Error(`no account ${user}`);
  return found;
}

describe('planProvisioning', () => {
  const plan = planProvisioning({ endpoints, prefix: 'itk', vhost: '/', routerUser: 'itk-router' });

  test('one account per identity, after the router’s, in routes order', () => {
    expect(plan.accounts.map((a) => [a.user, a.role, a.endpointId])).toEqual([
      ['itk-router', 'router', undefined],
      ['gp-user', 'endpoint', 'gp'],
      ['community-a', 'endpoint', 'community'],
      ['community-b', 'endpoint', 'community'],
    ]);
    expect(plan).toMatchObject({ vhost: '/', prefix: 'itk', notes: [] });
  });

  test('an end point user publishes only to itk.inbound, reads only its own queue, configures nothing', () => {
    const { permissions } = account(plan, 'gp-user');
    expect(permissions).toEqual({
      configure: '^$',
      write: '^itk\\.inbound$',
      read: '^itk\\.endpoint\\.gp$',
    });
    expect(allowed(permissions, 'configure', CANDIDATES)).toEqual([]);
    expect(allowed(permissions, 'write', CANDIDATES)).toEqual(['itk.inbound']);
    expect(allowed(permissions, 'read', CANDIDATES)).toEqual(['itk.endpoint.gp']);
    expect(account(plan, 'community-b').permissions.read).toBe('^itk\\.endpoint\\.community$');
  });

  test('the router declares the contract names, publishes to itk.deliver and the default exchange, reads its queues', () => {
    const { permissions } = account(plan, 'itk-router');
    expect(allowed(permissions, 'configure', CANDIDATES)).toEqual([
      'itk.inbound',
      'itk.deliver',
      'itk.router.inbound',
      'itk.router.quarantine',
      'itk.endpoint.gp',
      'itk.endpoint.community',
      'itk.endpoint.gp-2',
    ]);
    expect(allowed(permissions, 'write', CANDIDATES)).toEqual([
      'itk.deliver',
      'itk.router.inbound',
      'itk.endpoint.gp',
      'itk.endpoint.community',
      'itk.endpoint.gp-2',
      'amq.default',
    ]);
    expect(allowed(permissions, 'read', CANDIDATES)).toEqual([
      'itk.inbound',
      'itk.deliver',
      'itk.router.inbound',
      'itk.router.quarantine',
    ]);
  });

  test('with web services, the router also publishes the gateway’s calls inbound and reads the queues of the end points it calls, only those', () => {
    const withDelivery = [
      ...endpoints,
      {
        id: 'gp-2',
        name: 'A SOAP GP',
        identities: [],
        delivery: { url: 'https://gp2.example/itk' },
      },
    ] as Parameters<typeof planProvisioning>[0]['endpoints'];
    const web = planProvisioning({
      endpoints: withDelivery,
      prefix: 'itk',
      vhost: '/',
      routerUser: 'itk-router',
      gateway: true,
    });
    const router = account(web, 'itk-router');
    expect(allowed(router.permissions, 'write', CANDIDATES)).toEqual([
      'itk.inbound',
      'itk.deliver',
      'itk.router.inbound',
      'itk.endpoint.gp',
      'itk.endpoint.community',
      'itk.endpoint.gp-2',
      'amq.default',
    ]);
    expect(allowed(router.permissions, 'read', CANDIDATES)).toEqual([
      'itk.inbound',
      'itk.deliver',
      'itk.router.inbound',
      'itk.router.quarantine',
      'itk.endpoint.gp-2',
    ]);
    expect(router.purpose).toMatch(/publishes the web-service gateway's calls to itk\.inbound/);
    expect(router.purpose).toMatch(/consumes the queues of gp-2 \(web-service delivery\)/);

    // Delivery without the gateway: reads the queue, publishes nothing inbound; and the reverse.
    const calls = planProvisioning({
      endpoints: withDelivery,
      prefix: 'itk',
      vhost: '/',
      routerUser: 'itk-router',
    });
    const deliveryOnly = account(calls, 'itk-router').permissions;
    expect(allows(deliveryOnly.write, 'itk.inbound')).toBe(false);
    expect(allows(deliveryOnly.read, 'itk.endpoint.gp-2')).toBe(true);
    const gatewayOnly = account(
      planProvisioning({ endpoints, prefix: 'itk', vhost: '/', routerUser: 'r', gateway: true }),
      'r',
    ).permissions;
    expect(allows(gatewayOnly.write, 'itk.inbound')).toBe(true);
    expect(allowed(gatewayOnly, 'read', CANDIDATES)).not.toContain('itk.endpoint.gp');
  });

  test('every name takes the prefix, its dots escaped', () => {
    const acme = planProvisioning({ endpoints, prefix: 'acme.itk', vhost: 'care' });
    expect(acme.accounts.map((a) => a.role)).toEqual(['endpoint', 'endpoint', 'endpoint']);
    const { permissions } = account(acme, 'gp-user');
    expect(permissions.write).toBe('^acme\\.itk\\.inbound$');
    expect(allows(permissions.write, 'acme.itk.inbound')).toBe(true);
    expect(allows(permissions.write, 'acmeXitk.inbound')).toBe(false);
    expect(allows(permissions.write, 'itk.inbound')).toBe(false);
    expect(allows(permissions.read, 'acme.itk.endpoint.gp')).toBe(true);
  });

  test('the plan is frozen', () => {
    expect(Object.isFrozen(plan.accounts)).toBe(true);
    expect(Object.isFrozen(plan.accounts[0]!.permissions)).toBe(true);
  });

  test('an end point without identities gets a note: nobody can read its queue', () => {
    const lonely = planProvisioning({
      endpoints: [{ id: 'lonely', name: 'No users', identities: [] }],
      prefix: 'itk',
      vhost: '/',
    });
    expect(lonely.accounts).toEqual([]);
    expect(lonely.notes).toEqual([
      'end point lonely lists no identities: no account can send as it or read itk.endpoint.lonely',
    ]);
  });

  test.each([
    [
      { routerUser: 'gp-user' },
      /"gp-user" would be both the router and an identity of end point gp/,
    ],
    [{ vhost: '' }, /vhost must not be empty/],
    [{ prefix: 'ITK' }, /invalid name prefix/],
    [{ routerUser: '-x' }, /not starting with "-"/],
    [
      {
        endpoints: [
          { id: 'a', name: 'A', identities: ['u'] },
          { id: 'b', name: 'B', identities: ['u'] },
        ],
      },
      /"u" would be both an identity of end point a and an identity of end point b/,
    ],
    [{ endpoints: [{ id: 'Bad.Id', name: 'B', identities: [] }] }, /invalid end point id/],
  ])('refuses %j', (change, message) => {
    const input = { endpoints, prefix: 'itk', vhost: '/', routerUser: 'itk-router', ...change };
    expect(() => planProvisioning(input)).toThrow(ProvisionError);
    expect(() => planProvisioning(input)).toThrow(message);
  });

  test('the stock routes: one account per end point, named after it', () => {
    const stock = planProvisioning({
      endpoints: loadRoutes(ROUTES).endpoints,
      prefix: 'itk',
      vhost: '/',
      routerUser: 'itk-router',
    });
    expect(stock.accounts.map((a) => `${a.user} reads ${a.permissions.read}`)).toEqual([
      'itk-router reads ^(itk\\.inbound|itk\\.deliver|itk\\.router\\.inbound|itk\\.router\\.quarantine)$',
      'riverside-gp reads ^itk\\.endpoint\\.riverside-gp$',
      'riverside-community reads ^itk\\.endpoint\\.riverside-community$',
      'st-marys-hospice reads ^itk\\.endpoint\\.st-marys-hospice$',
      'ooh-111 reads ^itk\\.endpoint\\.ooh-111$',
    ]);
  });
});
