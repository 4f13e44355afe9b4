/**
 * Outbound delivery to a web-service end point (a test HTTPS server with its own certificate,
 * requiring the router's client certificate), real broker: the SOAP request the contract
 * describes, the call recorded on the message's story, an ITK fault turned into an inf nack to
 * the sender naming the end point, 503 then 200 delivered once, and an end point down past the
 * retry budget quarantined with 2100.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childNamed, parseLite } from '../../../src/router/03-envelope/lite-xml.js';
import { embeddableDe, soapFault } from '../../../src/router/11-web-services/soap-messages.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { NS } from '../../support/soap-calls.js';
import { sleep } from '../../support/wait-for.js';
import {
  makeTestCerts,
  startTestEndpoint,
  type CertDir,
  type TestEndpointServer,
  webServicesYaml,
} from '../../support/ws-tls.js';
import { ADDR, cda, readInfAck } from '../pipeline/de-messages.js';

const UPPER_UUID = /^[A-F0-9]{8}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{12}$/;
let certs: CertDir;
let server: TestEndpointServer;
const options: { routesDir?: string; routerYaml?: string } = {};
beforeAll(async () => {
  certs = makeTestCerts(['riverside-community']);
  server = await startTestEndpoint(certs, 'riverside-community');
  const routesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-ws-routes-'));
  fs.writeFileSync(
    path.join(routesDir, 'endpoints.yaml'),
    `
endpoints:
  riverside-gp:
    name: Riverside Medical Practice (AMQP)
    addresses: [${ADDR.gp}]
    identities: [__USER_gp__]
  riverside-community:
    name: Riverside Community Trust (web services)
    addresses: ['urn:nhs-uk:addressing:ods:RDE01:*']
    certificates: [riverside-community]
    delivery: { url: "${server.url}", timeout: 5s }
`,
  );
  options.routesDir = routesDir;
  options.routerYaml = [
    'retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 100 }',
    webServicesYaml(certs, ['retry: { initialDelayMs: 50, maxDelayMs: 100 }']),
    '',
  ].join('\n');
}, 60000);
const h = useRouterHarness(options);
afterEach(() => server.script());
afterAll(async () => {
  await server?.close();
  certs?.remove();
  if (options.routesDir) fs.rmSync(options.routesDir, { recursive: true, force: true });
});

const waitForCalls = async (n: number, timeoutMs = 10000) => {
  const deadline = Date.now() + timeoutMs;
  while (server.calls.length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} calls, got ${server.calls.length}`);
    await sleep(20);
  }
};
const send = async () => {
  server.calls.length = 0;
  const msg = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
  await h.publish('gp', msg.bytes);
  return msg;
};
const endpointEvents = (story: Awaited<ReturnType<typeof h.waitForStory>>) =>
  story.messages[0]!.events.filter((e) => e.endpointId === 'riverside-community');

describe('delivery to a web-service end point', () => {
  test("the router POSTs the contract's SOAP request with its certificate, and records the call", async () => {
    const msg = await send();
    await waitForCalls(1);
    const [got] = server.calls;
    const service = 'urn:nhs-itk:services:201005:SendCDADocument-v2-0';
    expect(got!.headers['soapaction']).toBe(`"${service}"`);
    expect(got!.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(got!.clientCn).toBe('itk-router');
    const root = parseLite(got!.body);
    const header = childNamed(root, 'Header', NS.soap);
    const text = (name: string) => childNamed(header, name, NS.wsa)?.text;
    expect(text('MessageID')).toMatch(UPPER_UUID);
    expect(text('Action')).toBe(service);
    expect(text('To')).toBe(server.url);
    expect(childNamed(childNamed(header, 'From', NS.wsa), 'Address', NS.wsa)?.text).toBe(
      ADDR.router,
    );
    const security = childNamed(header, 'Security', NS.wsse);
    const ts = childNamed(security, 'Timestamp', NS.wsu);
    const created = Date.parse(childNamed(ts, 'Created', NS.wsu)!.text);
    expect(Date.parse(childNamed(ts, 'Expires', NS.wsu)!.text) - created).toBe(300_000);
    expect(
      childNamed(childNamed(security, 'UsernameToken', NS.wsse), 'Username', NS.wsse)?.text,
    ).toBe('urn:nhs-uk:identity:ods:ITKROUTER');
    expect(Buffer.from(got!.body, 'utf8').includes(embeddableDe(msg.bytes))).toBe(true);

    const story = await h.waitForStory(msg.trackingId, (s) =>
      (s.messages[0]?.events ?? []).some((e) => e.detail?.startsWith('web service call')),
    );
    expect(endpointEvents(story).map((e) => [e.state, e.detail])).toContainEqual([
      'delivered',
      `web service call to ${server.url}: HTTP 200`,
    ]);
    await h.expectEmpty([h.queue('riverside-community'), h.queue('riverside-gp')]);
  });

  test('an ITK fault from the end point: the sender gets an inf nack naming the end point; no retry', async () => {
    server.script({
      status: 500,
      body: soapFault({ code: '1000', diagnostic: 'payload not for us' }),
    });
    const msg = await send();
    const nack = readInfAck(await h.takeOne(h.queue('riverside-gp')));
    expect(nack.result).toBe('Failure');
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.reportingIdentity).toEqual(['urn:nhs-uk:identity:ods:RDE01']);
    expect(nack.errors[0]!.diagnostic).toBe(
      '1000 end point riverside-community refused the message (HTTP 500): 1000 Invalid message: payload not for us',
    );
    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.state === 'nacked',
    );
    expect(endpointEvents(story).find((e) => e.state === 'nacked')?.code).toBe('1000');
    await sleep(300);
    expect(server.calls).toHaveLength(1);
  });

  test('503, then a dropped connection, then 200: delivered once, after three calls', async () => {
    server.script({ status: 503, body: '' }, 'drop');
    const msg = await send();
    await waitForCalls(3);
    const story = await h.waitForStory(msg.trackingId, (s) =>
      (s.messages[0]?.events ?? []).some((e) => e.detail?.startsWith('web service call')),
    );
    expect(
      endpointEvents(story).filter((e) => e.detail?.startsWith('web service call')),
    ).toHaveLength(1);
    await sleep(300);
    expect(server.calls).toHaveLength(3);
    await h.expectEmpty([h.queue('riverside-gp'), h.names.quarantineQueue]);
  });

  test('an end point down past the retry budget: quarantined with 2100, the sender nacked 2100', async () => {
    const busy = { status: 503, body: '' };
    server.script(busy, busy, busy, busy);
    const msg = await send();
    const q = await h.takeOne(h.names.quarantineQueue, 10000);
    expect(q.properties.headers?.['itk-error-code']).toBe('2100');
    expect(String(q.properties.headers?.['itk-error-text'])).toMatch(
      /^web service delivery to riverside-community \(https:\/\/127\.0\.0\.1:\d+\/itk\) failed 3 times: HTTP 503 \(busy\)$/,
    );
    expect(q.content.equals(msg.bytes)).toBe(true);
    const nack = readInfAck(await h.takeOne(h.queue('riverside-gp')));
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.reportingIdentity).toEqual(['urn:nhs-uk:identity:ods:ITKROUTER']);
    expect(nack.errors[0]!.diagnostic).toMatch(/^2100 web service delivery to riverside-community/);
    expect(server.calls).toHaveLength(3);
    await h.waitForStory(msg.trackingId, (s) => s.messages[0]?.record.state === 'quarantined');
  });

  test('/metrics counts the calls by end point and outcome', async () => {
    const text = await (await fetch(`http://127.0.0.1:${h.router.httpPort}/metrics`)).text();
    const count = (outcome: string) =>
      Number(
        new RegExp(
          `^itk_ws_calls_total\\{endpoint="riverside-community",outcome="${outcome}"\\} (\\d+)$`,
          'm',
        ).exec(text)?.[1],
      );
    // the tests above: 8 calls: 2 delivered, 1 refused, 2 + 2 retried, 1 quarantined (its last call)
    expect([count('delivered'), count('refused'), count('retry'), count('quarantined')]).toEqual([
      2, 1, 4, 1,
    ]);
    expect(text).toMatch(
      /^itk_ws_call_duration_seconds_count\{endpoint="riverside-community"\} 8$/m,
    );
  });
});
