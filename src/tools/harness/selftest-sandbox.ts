/**
 * What the self-test makes on the broker and on disk, and leaves nothing of: a vhost
 * `itk-harness-<short uuid>`, one broker user per end point with the least privileges
 * `itk-router provision` plans (publish to the inbound exchange, read its own queue), a broker
 * user of the router's own (web services need one: docs/web-services.md, "Trust"), a temporary
 * folder with the stock routes (identities replaced by those users) plus one web-service end
 * point the harness plays (`westfield-gp`, called at a loopback port chosen here), development
 * certificates (`itk-router certs`: the CA, the router, riverside-gp as a SOAP supplier,
 * westfield-gp) and the SQLite store. `dispose()` deletes all of it and may be called at any
 * point, also twice.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminAccessFor, brokerAdmin } from '../sandbox/broker-admin.js';
import { writeDemoRoutes } from '../sandbox/demo-routes.js';
import { endpointPermissions, generatePassword, routerPermissions } from '../provision/index.js';
import { makeCerts } from '../sandbox/make-certs.js';
import { topologyNames } from '../../router/02-transport/names.js';

export interface HarnessSandbox {
  readonly vhost: string;
  /** The configured AMQP URL's user on the sandbox vhost (the router and the harness's `$ops`). */
  readonly url: string;
  readonly dir: string;
  readonly routesDir: string;
  readonly storePath: string;
  /** Broker user by end point id. */
  readonly users: ReadonlyMap<string, string>;
  /** Password by broker user. */
  readonly passwords: ReadonlyMap<string, string>;
  /** How the broker was administered (management API or rabbitmqctl). */
  readonly via: string;
  /** The router's own broker user on the sandbox vhost (web services need one). */
  readonly routerUrl: string;
  /** Web services: the certificates folder, the gateway's port and the played end point. */
  readonly webServices: {
    readonly certsDir: string;
    readonly gatewayPort: number;
    readonly endpoint: string;
    readonly endpointUrl: string;
  };
  dispose(): Promise<void>;
}

/** The web-service end point the self-test adds to the stock routes (the harness plays it). */
export const WS_ENDPOINT = 'westfield-gp';

/** A loopback TCP port free now (the router and the harness listen on it later). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function writeWebServiceEndpoint(routesDir: string, url: string): void {
  fs.writeFileSync(
    path.join(routesDir, 'web-services.yaml'),
    [
      '# Added by the harness self-test: an end point on web services, played by the harness.',
      'endpoints:',
      `  ${WS_ENDPOINT}:`,
      '    name: Westfield Surgery (web services)',
      '    addresses: [urn:nhs-uk:addressing:ods:B82002]',
      `    certificates: [${WS_ENDPOINT}]`,
      `    delivery: { url: '${url}', timeout: 5s }`,
      '    acks: endpoint',
      '',
    ].join('\n'),
  );
}

export interface SandboxOptions {
  readonly amqpUrl: string;
  readonly prefix: string;
  readonly stockRoutes: string;
  readonly managementUrl?: string;
}

function urlOn(amqpUrl: string, vhost: string): string {
  const url = new URL(amqpUrl);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

export async function createHarnessSandbox(options: SandboxOptions): Promise<HarnessSandbox> {
  const access = adminAccessFor(options.amqpUrl, options.managementUrl);
  const admin = await brokerAdmin(access);
  const vhost = `itk-harness-${randomUUID().slice(0, 8)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-harness-'));
  const undo: (() => Promise<void>)[] = [
    async () => fs.rmSync(dir, { recursive: true, force: true }),
  ];
  let disposed: Promise<void> | undefined;
  const dispose = () =>
    (disposed ??= (async () => {
      const problems: string[] = [];
      for (const step of undo.reverse()) await step().catch((e: Error) => problems.push(e.message));
      if (problems.length > 0) throw new Error(`cleaning up the self-test: ${problems.join('; ')}`);
    })());
  try {
    const routesDir = path.join(dir, 'routes');
    const ids = writeDemoRoutes(options.stockRoutes, routesDir, (id) => `${vhost}-${id}`);
    const certsDir = path.join(dir, 'certs');
    makeCerts(certsDir, ['riverside-gp', WS_ENDPOINT]);
    const [gatewayPort, endpointPort] = [await freePort(), await freePort()];
    const endpointUrl = `https://127.0.0.1:${endpointPort}/itk`;
    writeWebServiceEndpoint(routesDir, endpointUrl);
    await admin.addVhost(vhost);
    undo.push(() => admin.deleteVhost(vhost));
    await admin.setPermissions(vhost, access.user, { configure: '.*', write: '.*', read: '.*' });
    const names = topologyNames(options.prefix);
    const users = new Map<string, string>();
    const passwords = new Map<string, string>();
    for (const id of ids) {
      const user = `${vhost}-${id}`;
      const password = generatePassword();
      await admin.addUser(user, password);
      undo.push(() => admin.deleteUser(user));
      await admin.setPermissions(vhost, user, endpointPermissions(names, id));
      users.set(id, user);
      passwords.set(user, password);
    }
    // the router's own user, as provision plans it for a router with web services: the gateway
    // publishes to the inbound exchange, a delivery worker reads the web-service end point's queue
    const routerUser = `${vhost}-router`;
    const routerPassword = generatePassword();
    await admin.addUser(routerUser, routerPassword);
    undo.push(() => admin.deleteUser(routerUser));
    await admin.setPermissions(
      vhost,
      routerUser,
      routerPermissions(names, { gateway: true, deliveryEndpoints: [WS_ENDPOINT] }),
    );
    const routerUrl = new URL(urlOn(options.amqpUrl, vhost));
    routerUrl.username = encodeURIComponent(routerUser);
    routerUrl.password = encodeURIComponent(routerPassword);
    return {
      vhost,
      url: urlOn(options.amqpUrl, vhost),
      routerUrl: routerUrl.toString(),
      webServices: { certsDir, gatewayPort, endpoint: WS_ENDPOINT, endpointUrl },
      dir,
      routesDir,
      storePath: path.join(dir, 'store.sqlite'),
      users,
      passwords,
      via: admin.via,
      dispose,
    };
  } catch (err) {
    await dispose().catch(() => undefined);
    throw err;
  }
}
