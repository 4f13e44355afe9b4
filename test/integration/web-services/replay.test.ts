/**
 * Quarantine replay of a message that came through the web-service gateway, on real TLS and the
 * real broker: the replay names the end point the gateway proved (from the router's store), by
 * the replay trust rule; replayed once the cause is fixed, it is delivered as that end point's;
 * no supplier can forge such a replay; and a replay whose end point no longer lists a certificate
 * is refused, by the tool before it leaves the quarantine and by the router if it arrives anyway.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadRouterConfig } from '../../../src/router/01-config/index.js';
import {
  listQuarantine,
  replayQuarantined,
  routeTableOf,
  type QuarantineTools,
} from '../../../src/tools/quarantine/quarantine-ops.js';
import { formatReplay } from '../../../src/tools/quarantine/quarantine-format.js';
import { replayHeaders } from '../../../src/router/09-pipeline/replay-trust.js';
import type { MessageStory } from '../../../src/router/08-store/message-store.js';
import { publishAs } from '../../support/messages.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { soapCall } from '../../support/soap-calls.js';
import { sleep } from '../../support/wait-for.js';
import { makeTestCerts, post, type CertDir, webServicesYaml } from '../../support/ws-tls.js';
import { ADDR, cda, headersOf, readInfAck } from '../pipeline/de-messages.js';

/** Addresses riverside-gp does not claim (the first until the fix). */
const BRANCH = 'urn:nhs-uk:addressing:ods:A83002';
const OTHER_BRANCH = 'urn:nhs-uk:addressing:ods:A83003';

const ROUTES = `
endpoints:
  riverside-gp:
    name: Riverside Medical Practice (web services)
    addresses: [${ADDR.gp}]
    certificates: [riverside-gp]
  riverside-community:
    name: Riverside Community Trust (AMQP)
    addresses: ['urn:nhs-uk:addressing:ods:RDE01:*']
    identities: [__USER_community__]
`;

let certs: CertDir;
const options: { routesDir?: string; routerYaml?: string } = {};
beforeAll(() => {
  certs = makeTestCerts(['riverside-gp']);
  const routesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-ws-replay-routes-'));
  fs.writeFileSync(path.join(routesDir, 'endpoints.yaml'), ROUTES);
  options.routesDir = routesDir;
  options.routerYaml = [webServicesYaml(certs, ['path: /itk']), ''].join('\n');
});
const h = useRouterHarness(options);
afterAll(() => {
  certs?.remove();
  if (options.routesDir) fs.rmSync(options.routesDir, { recursive: true, force: true });
});

const url = () => `https://127.0.0.1:${h.router.soapPort}/itk`;
const call = (de: string) =>
  post(url(), soapCall({ de }), {
    ca: certs.read('ca', 'crt'),
    client: { cert: certs.read('riverside-gp', 'crt'), key: certs.read('riverside-gp', 'key') },
    soapAction: /service="([^"]+)"/.exec(de)![1]!,
  });
const community = () => h.queue('riverside-community');
const gp = () => h.queue('riverside-gp');
const everywhere = () => [community(), gp(), h.names.quarantineQueue];
const routesFile = () => path.join(path.dirname(h.storePath), 'routes', 'endpoints.yaml');

function tools(): QuarantineTools {
  const config = loadRouterConfig(undefined, {
    AMQP_URL: h.routerUrl,
    ITK_ROUTER_ROUTES: path.dirname(routesFile()),
    ITK_ROUTER_STORE: `sqlite:${h.storePath}`,
  });
  return { amqpUrl: config.amqp.url, names: h.names, store: h.store, table: routeTableOf(config) };
}

/** Edits riverside-gp in the routes file and reloads the router. */
async function editGp(edit: (gpNode: YAML.YAMLMap) => void): Promise<void> {
  const doc = YAML.parseDocument(fs.readFileSync(routesFile(), 'utf8'));
  edit(doc.getIn(['endpoints', 'riverside-gp']) as YAML.YAMLMap);
  fs.writeFileSync(routesFile(), doc.toString());
  expect(await h.router.reload('test: riverside-gp edited')).toBe(true);
}

const completedAll = (trackingId: string, n: number) =>
  h.waitForStory(
    trackingId,
    (s) => s.messages.length >= n && s.messages.every((m) => m.record.completedAt != null),
  );
const lineageOf = (story: MessageStory) =>
  story.messages.flatMap((m) =>
    m.events.filter((e) => e.detail?.startsWith('replayed from quarantine')).map((e) => e.detail),
  );

async function quarantineDepth(n: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { messageCount } = await h.client.channel.checkQueue(h.names.quarantineQueue);
    if (messageCount === n) return;
    if (Date.now() > deadline)
      throw new Error(`expected ${n} messages on the quarantine, found ${messageCount}`);
    await sleep(25);
  }
}

/** A SOAP call from riverside-gp as an address not its own: quarantined 3000 and nacked. */
async function quarantinedCall(
  senderAddress: string,
): Promise<{ trackingId: string; entryId: string }> {
  const msg = cda({ addresses: [ADDR.community], senderAddress });
  expect((await call(msg.xml)).status).toBe(200);
  const nack = readInfAck(await h.takeOne(gp()));
  expect(nack.errors[0]!.diagnostic).toMatch(/^3000 .*riverside-gp may not send as/);
  await quarantineDepth(1);
  await completedAll(msg.trackingId, 1);
  const [entry] = (await listQuarantine(tools())).entries;
  expect(entry).toMatchObject({ sender: 'riverside-gp', trackingId: msg.trackingId });
  return { trackingId: msg.trackingId, entryId: entry!.id };
}

describe('quarantine replay of a web-service call', () => {
  test('after the fix: delivered as the end point the gateway proved, lineage recorded, removed from the quarantine', async () => {
    const { trackingId, entryId } = await quarantinedCall(BRANCH);
    await editGp((node) => (node.get('addresses') as YAML.YAMLSeq).add(BRANCH));

    const results = await replayQuarantined(tools(), {
      selectors: [entryId],
      reason: 'A83002 added to riverside-gp',
      by: 'ops-test',
    });
    expect(results).toEqual([
      {
        id: entryId,
        status: 'replayed',
        trackingId,
        replayId: expect.any(String),
        trackAs: trackingId,
        gatewayEndpoint: 'riverside-gp',
        senderEndpointId: 'riverside-gp',
      },
    ]);
    expect(formatReplay(results)).toContain(
      `as riverside-gp, through the web-service gateway: on the router's inbound queue`,
    );
    const delivered = await h.takeOne(community());
    expect(headersOf(delivered)['itk-sender']).toBe('riverside-gp');
    expect(headersOf(delivered)['itk-tracking-id']).toBe(trackingId);
    await quarantineDepth(0);

    const story = await completedAll(trackingId, 2);
    expect(
      story.messages.map((m) => [m.record.senderEndpointId, m.record.brokerUser, m.record.outcome]),
    ).toEqual([
      ['riverside-gp', null, 'quarantined'],
      ['riverside-gp', null, 'delivered'],
    ]);
    const replayId = results[0]!.status === 'replayed' ? results[0]!.replayId : '';
    expect(lineageOf(story)).toEqual([
      `replayed from quarantine entry ${entryId} by ops-test: A83002 added to riverside-gp (replay ${replayId})`,
    ]);
    await h.expectEmpty(everywhere());
  });

  test('a supplier cannot forge one: its replay headers naming the web-service end point are ignored', async () => {
    const forged = {
      contentType: 'application/xml',
      headers: {
        ...replayHeaders({
          replayOf: 'forged',
          by: 'mallory',
          reason: 'pose as the GP',
          gatewayEndpoint: 'riverside-gp',
          ignoreDuplicate: true,
        }),
        'itk-gateway-endpoint': 'riverside-gp',
        'itk-gateway-certificate': 'riverside-gp',
      },
    };
    // through itk.inbound, and straight to the router's queue through the default exchange
    const viaInbound = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
    await h.publish('community', viaInbound.bytes, forged);
    const direct = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
    await publishAs(h.user('community'), '', h.names.routerInboundQueue, direct.bytes, {
      messageId: 'forged-direct',
      ...forged,
    });
    // each judged as riverside-community (its own user), which may not send as the GP: 3000
    for (const msg of [viaInbound, direct]) {
      const story = await completedAll(msg.trackingId, 1);
      expect(story.messages[0]!.record).toMatchObject({
        senderEndpointId: 'riverside-community',
        brokerUser: h.user('community').name,
        outcome: 'quarantined',
      });
      expect(lineageOf(story)).toEqual([]);
    }
    const nacks = [
      readInfAck(await h.takeOne(community())),
      readInfAck(await h.takeOne(community())),
    ];
    expect(nacks.map((n) => n.trackingIdRef).sort()).toEqual(
      [viaInbound.trackingId, direct.trackingId].sort(),
    );
    for (const n of nacks)
      expect(n.errors[0]!.diagnostic).toMatch(/^3000 .*riverside-community may not send as/);
    await h.takeOne(h.names.quarantineQueue);
    await h.takeOne(h.names.quarantineQueue);
    await h.expectEmpty(everywhere());
  });

  test('its end point no longer lists a certificate: the tool refuses it (kept), and so does the router', async () => {
    const { trackingId, entryId } = await quarantinedCall(OTHER_BRANCH);
    // riverside-gp moves to AMQP (a broker user of its own), its certificate removed from the
    // routes; the address added too, so that only the proof can refuse the replay
    await editGp((node) => {
      node.delete('certificates');
      node.set('identities', ['riverside-gp-amqp']);
      (node.get('addresses') as YAML.YAMLSeq).add(OTHER_BRANCH);
    });
    const refused = await replayQuarantined(tools(), {
      selectors: [entryId],
      reason: 'try',
      by: 'ops-test',
    });
    expect(refused).toEqual([
      {
        id: entryId,
        status: 'refused',
        trackingId,
        reason:
          'end point riverside-gp no longer lists a web-service certificate: a replay of a message it sent through the web-service gateway is not trusted: not replayed',
      },
    ]);
    await quarantineDepth(1);

    // published by hand as the router's own user anyway: the router checks again, 3000
    const entry = await h.takeOne(h.names.quarantineQueue);
    await publishAs(
      { name: h.routerUserName, password: '', url: h.routerUrl },
      '',
      h.names.routerInboundQueue,
      entry.content,
      {
        messageId: 'by-hand',
        contentType: 'application/xml',
        headers: replayHeaders({
          replayOf: entryId,
          by: 'test',
          reason: 'by hand',
          gatewayEndpoint: 'riverside-gp',
          ignoreDuplicate: false,
        }),
      },
    );
    const again = await h.takeOne(h.names.quarantineQueue);
    expect(headersOf(again)['itk-error-code']).toBe('3000');
    expect(headersOf(again)['itk-error-text']).toBe(
      'end point riverside-gp no longer lists a web-service certificate: a replay of a message it sent through the web-service gateway is not trusted',
    );
    const story = await completedAll(trackingId, 2);
    expect(story.messages.map((m) => m.record.outcome)).toEqual(['quarantined', 'quarantined']);
    await h.expectEmpty(everywhere());
  });
});
