/**
 * `itk-router provision` against the real broker: the accounts it prints are applied to a vhost of
 * this file's own (the rabbitmqctl script run by `sh`, and the definitions imported through the
 * management API, else `rabbitmqctl import_definitions`), then used. The router runs on its
 * provisioned account and routes a care-plan notification end to end; each end point account can
 * publish to itk.inbound as itself and read its own queue, and the broker refuses it everything
 * else: another end point's queue, itk.deliver, the default exchange, declaring, another user_id.
 * The users are broker-wide, so each run's names carry a random suffix; all are deleted at the end.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, type ConfirmChannel } from 'amqplib';
import { main } from '../../src/tools/cli/main.js';
import { loadRouterConfig } from '../../src/router/01-config/index.js';
import { startRouter, type RunningRouter } from '../../src/router/main.js';
import { silentLogger } from '../../src/router/00-common/logger.js';
import { passwordVariables } from '../../src/tools/provision/index.js';
import { topologyNames } from '../../src/router/02-transport/names.js';
import { declareTopology } from '../../src/router/02-transport/topology.js';
import { createTestVhost, type TestUser, type TestVhost } from '../support/broker.js';
import { amqpUrl, brokerEnv } from '../support/broker-env.js';
import { expectMessages, openTestClient, publishAs, purgeQueues } from '../support/messages.js';
import { sleep } from '../support/wait-for.js';

const run = promisify(execFile);
const STOCK_ROUTES = fileURLToPath(new URL('../../routes/', import.meta.url));
const NOTIFICATION = fileURLToPath(
  new URL('../fixtures/examples/careplan-notification.xml', import.meta.url),
);
const ENDPOINTS = ['riverside-gp', 'riverside-community', 'st-marys-hospice', 'ooh-111'];
const names = topologyNames();
const QUEUES = [
  names.routerInboundQueue,
  names.quarantineQueue,
  ...ENDPOINTS.map((id) => names.endpointQueue(id)),
];

/** rabbitmqctl answers here (root or the rabbitmq user on the broker's machine). */
const ctlWorks = await run('rabbitmqctl', ['-q', 'list_vhosts'], { timeout: 30_000 }).then(
  () => true,
  () => false,
);

let vhost: TestVhost;
let tmp: string;
const madeUsers: string[] = [];

beforeAll(async () => {
  vhost = await createTestVhost();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-provision-it-'));
});

afterAll(async () => {
  await Promise.all(madeUsers.map((user) => vhost?.admin.deleteUser(user)));
  await vhost?.deleteAll();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** The accounts one way of provisioning made: the router's and one per end point (by id). */
interface Provisioned {
  readonly routesDir: string;
  readonly router: TestUser;
  readonly endpoint: (id: string) => TestUser;
}

/** The stock routes with each identity made unique (`riverside-gp` → `riverside-gp-1a2b3c4d`). */
function uniqueRoutes(suffix: string): string {
  const dir = path.join(tmp, `routes-${suffix}`);
  fs.mkdirSync(dir);
  for (const file of fs.readdirSync(STOCK_ROUTES).filter((f) => f.endsWith('.yaml'))) {
    const text = fs.readFileSync(path.join(STOCK_ROUTES, file), 'utf8');
    const unique = text.replace(/identities: \[([a-z0-9-]+)\]/g, `identities: [$1-${suffix}]`);
    fs.writeFileSync(path.join(dir, file), unique);
  }
  return dir;
}

/** Runs `itk-router provision` in-process; fails the test unless it exits 0. */
async function provisionCli(...args: string[]): Promise<void> {
  expect(await main(['node', 'itk-router', 'provision', ...args])).toBe(0);
}

/** Runs a command, `input` on its standard input; resolves with its output, or rejects. */
function runWith(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; input?: Buffer } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${output}`)),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** Applies the rabbitmqctl script, passwords from ITK_PASSWORD_<USER> as an operator would. */
async function provisionWithScript(): Promise<Provisioned> {
  const suffix = randomUUID().slice(0, 8);
  const routesDir = uniqueRoutes(suffix);
  const routerUser = `itk-router-${suffix}`;
  const script = path.join(tmp, `accounts-${suffix}.sh`);
  await provisionCli(
    '--routes',
    routesDir,
    '--vhost',
    vhost.vhost,
    '--router-user',
    routerUser,
    '-o',
    script,
  );
  const users = [routerUser, ...ENDPOINTS.map((id) => `${id}-${suffix}`)];
  madeUsers.push(...users);
  const passwords = new Map(users.map((user) => [user, `pw ${randomUUID()} '"$`]));
  const env = Object.fromEntries(
    [...passwordVariables(users)].map(([user, variable]) => [variable, passwords.get(user)!]),
  );
  await runWith('sh', [script], { env });
  return accounts(routesDir, suffix, passwords);
}

/** Imports the definitions (generated passwords, hashed in) through the management API or rabbitmqctl. */
async function provisionWithDefinitions(): Promise<Provisioned> {
  const suffix = randomUUID().slice(0, 8);
  const routesDir = uniqueRoutes(suffix);
  const definitions = path.join(tmp, `definitions-${suffix}.json`);
  const credentials = path.join(tmp, `credentials-${suffix}`);
  await provisionCli(
    '--format',
    'definitions',
    '--passwords',
    'generate',
    '--credentials',
    credentials,
    '--routes',
    routesDir,
    '--vhost',
    vhost.vhost,
    '--router-user',
    `itk-router-${suffix}`,
    '-o',
    definitions,
  );
  const lines = fs.readFileSync(credentials, 'utf8').trim().split('\n');
  const passwords = new Map(lines.map((line) => line.split('\t') as [string, string]));
  madeUsers.push(...passwords.keys());
  if (vhost.admin.kind === 'http') {
    const env = brokerEnv();
    const auth = Buffer.from(`${env.adminUser}:${env.adminPassword}`).toString('base64');
    const res = await fetch(`${env.managementUrl}/api/definitions`, {
      method: 'POST',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: fs.readFileSync(definitions),
    });
    expect(res.status).toBeLessThan(300);
  } else {
    // On standard input: the broker's node (user rabbitmq) may not read a private temporary file.
    await runWith('rabbitmqctl', ['-q', 'import_definitions'], {
      input: fs.readFileSync(definitions),
    });
  }
  return accounts(routesDir, suffix, passwords);
}

function accounts(routesDir: string, suffix: string, passwords: Map<string, string>): Provisioned {
  const user = (name: string): TestUser => {
    const password = passwords.get(name);
    if (password === undefined) throw new Error(`no password for ${name}`);
    return { name, password, url: amqpUrl(vhost.vhost, name, password) };
  };
  return {
    routesDir,
    router: user(`itk-router-${suffix}`),
    endpoint: (id) => user(`${id}-${suffix}`),
  };
}

/**
 * Does `act` on a fresh connection as the user at `url`; resolves with the AMQP code of the
 * channel error the broker answered with (403 access refused, 406 precondition failed), or
 * `undefined` when the broker allowed it.
 */
async function brokerAnswer(
  url: string,
  act: (channel: ConfirmChannel) => Promise<unknown>,
): Promise<number | undefined> {
  const connection = await connect(url, { noDelay: true });
  connection.on('error', () => undefined);
  let code: number | undefined;
  try {
    const channel = await connection.createConfirmChannel();
    const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
    channel.on('error', (err: { code?: number }) => (code ??= err.code));
    try {
      await act(channel);
      await closedWithin(closed, 200); // a refused publish closes the channel a moment later
    } catch {
      await closedWithin(closed, 2000);
    }
    return code;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Waits for `closed`, or `ms` at most, leaving no timer behind. */
async function closedWithin(closed: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const publishTo =
  (exchange: string, routingKey: string, properties: Record<string, unknown> = {}) =>
  async (channel: ConfirmChannel) => {
    channel.publish(exchange, routingKey, Buffer.from('probe'), properties);
    await channel.waitForConfirms();
  };

/** A copy of the notification fixture with a fresh tracking id. */
function notification(): { bytes: Buffer; trackingId: string } {
  const trackingId = randomUUID().toUpperCase();
  const xml = fs
    .readFileSync(NOTIFICATION, 'utf8')
    .replace(/(<itk:header\b[^>]*\strackingid=")[^"]*"/, `$1${trackingId}"`);
  return { bytes: Buffer.from(xml), trackingId };
}

async function metrics(router: RunningRouter): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${router.httpPort}/metrics`);
  return res.text();
}

/** The same proofs, whichever way the accounts were applied. */
function provesLeastPrivilege(title: string, provision: () => Promise<Provisioned>): void {
  describe(title, () => {
    let accountsMade: Provisioned;
    let router: RunningRouter | undefined;
    const gp = () => accountsMade.endpoint('riverside-gp');
    const community = () => accountsMade.endpoint('riverside-community');

    beforeAll(async () => {
      accountsMade = await provision();
    }, 120_000);
    afterAll(async () => {
      await router?.stop();
      if (!vhost) return;
      const client = await openTestClient(vhost.url);
      await purgeQueues(client.channel, QUEUES);
      await client.close();
    });

    test('the router’s account declares the whole topology, then runs the router: deliver, nack, quarantine', async () => {
      // Declared as the router would, first on a plain channel so a refusal fails fast and clearly.
      expect(
        await brokerAnswer(accountsMade.router.url, (channel) =>
          declareTopology(channel, names, ENDPOINTS, { deliveryLimit: 10 }),
        ),
      ).toBeUndefined();
      const config = loadRouterConfig(undefined, {
        AMQP_URL: accountsMade.router.url,
        ITK_ROUTER_ROUTES: accountsMade.routesDir,
        ITK_ROUTER_STORE: `sqlite:${path.join(accountsMade.routesDir, 'store.sqlite')}`,
        ITK_ROUTER_HTTP_PORT: '0',
      });
      router = await startRouter(config, silentLogger(), { watchRoutes: false });

      // The GP shares an end-of-life plan: the community team gets it, 111 a copy (copy route).
      const message = notification();
      await publishAs(gp(), names.inboundExchange, '', message.bytes, {
        contentType: 'application/xml',
      });
      for (const id of ['riverside-community', 'ooh-111']) {
        const reader = await openTestClient(accountsMade.endpoint(id).url);
        try {
          const [delivered] = await expectMessages(reader.channel, names.endpointQueue(id), 1);
          expect(delivered!.content.equals(message.bytes)).toBe(true);
          expect(delivered!.properties).toMatchObject({
            messageId: message.trackingId,
            appId: 'itk-router',
          });
          expect(delivered!.properties.headers).toMatchObject({ 'itk-sender': 'riverside-gp' });
        } finally {
          await reader.close();
        }
      }

      // Unreadable bytes: a nack on the GP's own queue, the bytes on the quarantine (default exchange).
      await publishAs(gp(), names.inboundExchange, '', 'not xml at all');
      const gpReader = await openTestClient(gp().url);
      try {
        const [nack] = await expectMessages(
          gpReader.channel,
          names.endpointQueue('riverside-gp'),
          1,
        );
        expect(nack!.content.toString()).toMatch(/InfrastructureResponse[^>]*result="Failure"/);
      } finally {
        await gpReader.close();
      }
      let text = '';
      for (let i = 0; i < 100 && !/^itk_quarantine_depth 1$/m.test(text); i++) {
        text = await metrics(router);
        await sleep(50);
      }
      expect(text).toMatch(/^itk_quarantine_depth 1$/m); // read passively as the router's user
      const ready = await fetch(`http://127.0.0.1:${router.httpPort}/readyz`);
      expect(ready.status).toBe(200);
    }, 60_000);

    test('an end point account publishes to itk.inbound as itself and reads its own queue', async () => {
      const own = names.endpointQueue('riverside-gp');
      expect(
        await brokerAnswer(
          gp().url,
          publishTo(names.inboundExchange, '', { userId: gp().name, persistent: true }),
        ),
      ).toBeUndefined();
      expect(await brokerAnswer(gp().url, (channel) => channel.get(own))).toBeUndefined();
      expect(await brokerAnswer(gp().url, (channel) => channel.checkQueue(own))).toBeUndefined();
    });

    test('the broker refuses an end point account everything else (403), and another user_id (406)', async () => {
      const url = gp().url;
      const refusals = {
        'read another end point’s queue': await brokerAnswer(url, (channel) =>
          channel.get(names.endpointQueue('riverside-community')),
        ),
        'consume the router’s queue': await brokerAnswer(url, (channel) =>
          channel.consume(names.routerInboundQueue, () => undefined),
        ),
        'read the quarantine': await brokerAnswer(url, (channel) =>
          channel.get(names.quarantineQueue),
        ),
        'publish to itk.deliver': await brokerAnswer(
          url,
          publishTo(names.deliverExchange, 'riverside-community'),
        ),
        'publish through the default exchange': await brokerAnswer(
          url,
          publishTo('', names.endpointQueue('riverside-community')),
        ),
        'declare a queue': await brokerAnswer(url, (channel) =>
          channel.assertQueue(`sneaky-${randomUUID()}`, { durable: false, autoDelete: true }),
        ),
        'declare its own queue afresh': await brokerAnswer(url, (channel) =>
          channel.assertQueue(names.endpointQueue('riverside-gp'), {
            durable: true,
            arguments: { 'x-queue-type': 'quorum' },
          }),
        ),
        'declare an exchange': await brokerAnswer(url, (channel) =>
          channel.assertExchange(`sneaky-${randomUUID()}`, 'fanout', { autoDelete: true }),
        ),
        'bind a queue': await brokerAnswer(url, (channel) =>
          channel.bindQueue(names.endpointQueue('riverside-gp'), names.deliverExchange, 'ooh-111'),
        ),
        'purge another end point’s queue': await brokerAnswer(url, (channel) =>
          channel.purgeQueue(names.endpointQueue('ooh-111')),
        ),
      };
      expect(refusals).toEqual(
        Object.fromEntries(Object.keys(refusals).map((what) => [what, 403])),
      );
      expect(
        await brokerAnswer(url, publishTo(names.inboundExchange, '', { userId: community().name })),
      ).toBe(406);
    });

    test('the router’s account cannot publish to itk.inbound nor read an end point’s queue', async () => {
      const url = accountsMade.router.url;
      expect(await brokerAnswer(url, publishTo(names.inboundExchange, ''))).toBe(403);
      expect(
        await brokerAnswer(url, (channel) => channel.get(names.endpointQueue('riverside-gp'))),
      ).toBe(403);
    });

    test('the accounts have no tags (no management access), and no password but their own works', async () => {
      await expect(
        connect(amqpUrl(vhost.vhost, gp().name, 'wrong password'), { noDelay: true }),
      ).rejects.toThrow(/ACCESS_REFUSED|403/);
      if (vhost.admin.kind === 'http') {
        const env = brokerEnv();
        const res = await fetch(`${env.managementUrl}/api/whoami`, {
          headers: {
            authorization: `Basic ${Buffer.from(`${gp().name}:${gp().password}`).toString('base64')}`,
          },
        });
        expect(res.status).toBe(401);
      }
    });
  });
}

if (ctlWorks) provesLeastPrivilege('the rabbitmqctl script, run with sh', provisionWithScript);
else test.skip('the rabbitmqctl script, run with sh (rabbitmqctl does not answer here)', () => {});
provesLeastPrivilege('the definitions, imported', provisionWithDefinitions);
