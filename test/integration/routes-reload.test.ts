/**
 * Routes as code on the real broker: `check --diff` against a running router, reload when the
 * files change (new end points get their queues, new routes take effect), and an invalid folder
 * refused while the router keeps its last good routes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/tools/cli/main.js';
import { loadRouterConfig } from '../../src/router/01-config/index.js';
import { startRouter, type RunningRouter } from '../../src/router/main.js';
import { silentLogger } from '../../src/router/00-common/logger.js';
import { createTestVhost, type TestUser, type TestVhost } from '../support/broker.js';
import { expectMessages, openTestClient, publishAs, type TestClient } from '../support/messages.js';
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../src/router/10-ops/console/password-hash.js';
import { addUser, issueToken, writeUsersFile } from '../../src/router/10-ops/console/users-file.js';

const STOCK = fileURLToPath(new URL('../../routes', import.meta.url));
const CDA = fileURLToPath(new URL('../fixtures/valid/cda-document-noncoded.xml', import.meta.url));
const SOCIAL_CARE = `
  riverside-social-care:
    name: Riverside Social Care
    addresses: [urn:nhs-uk:addressing:ods:SC001]
    identities: [riverside-social-care]
`;

let vhost: TestVhost;
let client: TestClient;
let router: RunningRouter;
let gp: TestUser;
let routesDir: string;
let work: string;
/** A viewer's API token: /api/v1/routes (and `check --diff`) need a signed-in caller. */
let token: string;

beforeAll(async () => {
  vhost = await createTestVhost();
  gp = await vhost.createUser(vhost.uniqueName('reload-gp'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-reload-'));
  routesDir = path.join(work, 'routes');
  fs.cpSync(STOCK, routesDir, { recursive: true });
  // broker user names are broker-wide: the GP sends as a user of this test's own
  const endpointsFile = path.join(routesDir, 'endpoints.yaml');
  fs.writeFileSync(
    endpointsFile,
    fs
      .readFileSync(endpointsFile, 'utf8')
      .replace('identities: [riverside-gp]', `identities: [${gp.name}]`),
  );
  const usersFile = path.join(work, 'users.yaml');
  const issued = issueToken(
    addUser([], 'ops', 'viewer', await hashPassword('a long test password')),
    'ops',
    3600,
    new Date(),
  );
  writeUsersFile(usersFile, issued.users);
  token = issued.token;
  const config = loadRouterConfig(undefined, {
    ITK_ROUTER_USERS: usersFile,
    AMQP_URL: vhost.url,
    ITK_ROUTER_ROUTES: routesDir,
    ITK_ROUTER_STORE: `sqlite:${path.join(work, 'store.sqlite')}`,
    ITK_ROUTER_HTTP_PORT: '0',
  });
  router = await startRouter(config, silentLogger());
  client = await openTestClient(vhost.url);
});

afterAll(async () => {
  await client?.close();
  await router?.stop();
  await vhost?.deleteAll();
  fs.rmSync(work, { recursive: true, force: true });
});

const routesInForce = async () =>
  (await (
    await fetch(`http://127.0.0.1:${router.httpPort}/api/v1/routes`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json()) as {
    endpoints: { id: string }[];
  };

/** `itk-router check --diff` of a routes folder against the running router, in-process. */
async function checkDiff(
  folder: string,
  apiToken: string | null = token,
): Promise<{ code: number; out: string }> {
  const writes: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const previous = process.env.ITK_ROUTER_ROUTES;
  process.env.ITK_ROUTER_ROUTES = folder;
  if (apiToken) process.env.ITK_ROUTER_TOKEN = apiToken;
  process.stdout.write = ((chunk: string) => (
    writes.push(String(chunk)),
    true
  )) as typeof process.stdout.write;
  try {
    const url = `http://127.0.0.1:${router.httpPort}`;
    const code = await main(['node', 'itk-router', 'check', '--diff', url]);
    return { code, out: writes.join('') };
  } finally {
    process.stdout.write = write;
    delete process.env.ITK_ROUTER_TOKEN;
    if (previous === undefined) delete process.env.ITK_ROUTER_ROUTES;
    else process.env.ITK_ROUTER_ROUTES = previous;
  }
}

/** A CDA document from the GP's broker user, addressed to `to`. */
function cdaTo(to: string): Buffer {
  const xml = fs
    .readFileSync(CDA, 'utf8')
    .replace(/trackingid="[^"]+"/, `trackingid="${randomUUID().toUpperCase()}"`)
    .replace(/<itk:address uri="[^"]+"\/>/, `<itk:address uri="${to}"/>`)
    .replace(
      /<itk:senderAddress uri="[^"]+"\/>/,
      '<itk:senderAddress uri="urn:nhs-uk:addressing:ods:A83001"/>',
    );
  return Buffer.from(xml);
}

test('check --diff needs an API token: without one the running router refuses, and check says how to get one', async () => {
  const errors: string[] = [];
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (
    errors.push(String(chunk)),
    true
  )) as typeof process.stderr.write;
  try {
    expect((await checkDiff(routesDir, null)).code).toBe(1);
  } finally {
    process.stderr.write = writeErr;
  }
  expect(errors.join('')).toMatch(/refused to show its routes \(401.*itk-router users token/s);
});

test('check --diff shows what a changed routes folder would change in the running routes', async () => {
  expect(await checkDiff(routesDir)).toEqual({ code: 0, out: 'no changes\n' });
  // the ops team's working copy, not yet deployed: one end point more, one route fewer
  const candidate = path.join(work, 'candidate');
  fs.cpSync(routesDir, candidate, { recursive: true });
  fs.appendFileSync(path.join(candidate, 'endpoints.yaml'), SOCIAL_CARE);
  const routesFile = path.join(candidate, 'routes.yaml');
  fs.writeFileSync(
    routesFile,
    fs.readFileSync(routesFile, 'utf8').replace(/\n {2}- name: withdrawn-service[\s\S]*$/, '\n'),
  );
  expect(await checkDiff(candidate)).toEqual({
    code: 0,
    out: '+ end point riverside-social-care\n- route withdrawn-service\n',
  });
  expect((await routesInForce()).endpoints.map((e) => e.id)).not.toContain('riverside-social-care');
});

test('a change to the files is reloaded: the new end point gets its queue and its messages', async () => {
  // deploy the working copy's end points: the router sees the file change and reloads
  const deployed = path.join(work, 'endpoints.yaml.new');
  fs.copyFileSync(path.join(work, 'candidate', 'endpoints.yaml'), deployed);
  fs.renameSync(deployed, path.join(routesDir, 'endpoints.yaml'));
  const deadline = Date.now() + 10_000;
  while (!(await routesInForce()).endpoints.some((e) => e.id === 'riverside-social-care')) {
    if (Date.now() > deadline) throw new Error('the routes were not reloaded within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect((await checkDiff(routesDir)).out).toBe('no changes\n');
  const queue = 'itk.endpoint.riverside-social-care';
  await client.channel.checkQueue(queue); // declared by the reload
  const message = cdaTo('urn:nhs-uk:addressing:ods:SC001');
  await publishAs(gp, 'itk.inbound', '', message);
  const [got] = await expectMessages(client.channel, queue, 1, 10_000);
  expect(got!.content.equals(message)).toBe(true);
});

test('an invalid folder is refused: the last good routes stay in force', async () => {
  fs.appendFileSync(path.join(routesDir, 'routes.yaml'), '\nbroken: [\n');
  expect(await router.reload('test: broken file')).toBe(false);
  const ids = (await routesInForce()).endpoints.map((e) => e.id);
  expect(ids).toContain('riverside-social-care');
  const message = cdaTo('urn:nhs-uk:addressing:ods:SC001');
  await publishAs(gp, 'itk.inbound', '', message);
  const [got] = await expectMessages(
    client.channel,
    'itk.endpoint.riverside-social-care',
    1,
    10_000,
  );
  expect(got!.content.equals(message)).toBe(true);
});
