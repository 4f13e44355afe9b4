/**
 * Delivery workers follow routes reloads, on the real broker with test HTTPS end points: an end
 * point given `delivery.url` by a reload is called at once (what waited on its queue first); a
 * changed URL or client certificate restarts its worker with the new settings; an end point that
 * loses `delivery.url` (or leaves the routes) is no longer called, after the message in hand is
 * answered, recorded and acked exactly once; a delivery TLS file that cannot be read refuses the
 * reload and the workers carry on as they were.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import YAML from 'yaml';
import { createLogger, type Logger } from '../../../src/router/00-common/logger.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { sleep } from '../../support/wait-for.js';
import {
  makeTestCerts,
  OK_BODY,
  startTestEndpoint,
  type CertDir,
  type TestEndpointServer,
  webServicesYaml,
} from '../../support/ws-tls.js';
import { ADDR, cda } from '../pipeline/de-messages.js';

const options: { routesDir?: string; routerYaml?: string; logger?: Logger } = {};
/** The router's log lines (JSON): why a reload was refused. */
const logLines: { level: string; message: string; reason?: string }[] = [];
const logStream = new PassThrough();
logStream.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
    logLines.push(JSON.parse(line) as (typeof logLines)[number]);
});
options.logger = createLogger('info', logStream);

let certs: CertDir;
let first: TestEndpointServer; // riverside-community's first URL
let second: TestEndpointServer; // its URL after a reload
let ooh: TestEndpointServer; // ooh-111, removed from the routes later
beforeAll(async () => {
  certs = makeTestCerts(['riverside-community', 'ooh-111', 'router-renewed']);
  first = await startTestEndpoint(certs, 'riverside-community');
  second = await startTestEndpoint(certs, 'riverside-community');
  ooh = await startTestEndpoint(certs, 'ooh-111');
  const routesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-ws-reload-routes-'));
  fs.writeFileSync(
    path.join(routesDir, 'endpoints.yaml'),
    `
endpoints:
  riverside-gp:
    name: Riverside Medical Practice (AMQP)
    addresses: [${ADDR.gp}]
    identities: [__USER_gp__]
  riverside-community:
    name: Riverside Community Trust (AMQP until a reload gives it a delivery URL)
    addresses: ['urn:nhs-uk:addressing:ods:RDE01:*']
    identities: [__USER_community__]
  ooh-111:
    name: NWAS 111 (web services)
    addresses: [${ADDR.ooh}]
    certificates: [ooh-111]
    delivery: { url: "${ooh.url}", timeout: 5s }
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
afterEach(() => [first, second, ooh].forEach((s) => s.script()));
afterAll(async () => {
  await Promise.all([first, second, ooh].map((s) => s?.close()));
  certs?.remove();
  if (options.routesDir) fs.rmSync(options.routesDir, { recursive: true, force: true });
});

const routesFile = () => path.join(path.dirname(h.storePath), 'routes', 'endpoints.yaml');
/** Edits the routes file and reloads; resolves to the reload's answer (true: in force). */
async function reloadWith(edit: (doc: YAML.Document) => void): Promise<boolean> {
  const doc = YAML.parseDocument(fs.readFileSync(routesFile(), 'utf8'));
  edit(doc);
  fs.writeFileSync(routesFile(), doc.toString());
  return h.router.reload('test: routes edited');
}
const community = ['endpoints', 'riverside-community'];

const waitForCalls = async (server: TestEndpointServer, n: number, timeoutMs = 10000) => {
  const deadline = Date.now() + timeoutMs;
  while (server.calls.length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} calls, got ${server.calls.length}`);
    await sleep(20);
  }
};
const toCommunity = async () => {
  const msg = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
  await h.publish('gp', msg.bytes);
  return msg;
};
const trackingIdOf = (call: { body: string }) =>
  /trackingid="([^"]+)"/i.exec(call.body)?.[1]?.toUpperCase();
/** The web-service calls recorded on a message's story. */
const recordedCalls = async (trackingId: string) => {
  const story = await h.waitForStory(trackingId, (s) =>
    (s.messages[0]?.events ?? []).some((e) => e.detail?.startsWith('web service call')),
  );
  return story.messages[0]!.events.filter((e) => e.detail?.startsWith('web service call'));
};

describe('delivery workers follow routes reloads', () => {
  test('an end point given delivery.url by a reload is called at once, what waited first', async () => {
    const waiting = await toCommunity();
    // no worker yet: the message waits on its queue (an AMQP end point would consume it)
    await sleep(300);
    expect(first.calls).toHaveLength(0);
    expect(
      await reloadWith((doc) => doc.setIn([...community, 'delivery'], { url: first.url })),
    ).toBe(true);
    await waitForCalls(first, 1);
    expect(trackingIdOf(first.calls[0]!)).toBe(waiting.trackingId.toUpperCase());
    expect(first.calls[0]!.clientCn).toBe('itk-router');
    expect((await recordedCalls(waiting.trackingId)).map((e) => e.detail)).toEqual([
      `web service call to ${first.url}: HTTP 200`,
    ]);
    const next = await toCommunity();
    await waitForCalls(first, 2);
    expect(trackingIdOf(first.calls[1]!)).toBe(next.trackingId.toUpperCase());
    await h.expectEmpty([h.queue('riverside-community')]);
  });

  test('a changed URL, then a changed client certificate: the worker restarts with them', async () => {
    first.calls.length = 0;
    expect(
      await reloadWith((doc) => doc.setIn([...community, 'delivery'], { url: second.url })),
    ).toBe(true);
    const msg = await toCommunity();
    await waitForCalls(second, 1);
    expect(trackingIdOf(second.calls[0]!)).toBe(msg.trackingId.toUpperCase());
    expect(second.calls[0]!.clientCn).toBe('itk-router');
    expect(first.calls).toHaveLength(0);

    const tls = {
      cert: certs.file('router-renewed', 'crt'),
      key: certs.file('router-renewed', 'key'),
    };
    expect(
      await reloadWith((doc) => doc.setIn([...community, 'delivery'], { url: second.url, tls })),
    ).toBe(true);
    await toCommunity();
    await waitForCalls(second, 2);
    expect(second.calls[1]!.clientCn).toBe('router-renewed');
    expect(first.calls).toHaveLength(0);
  });

  test('a delivery TLS file that cannot be read refuses the reload; the worker carries on', async () => {
    second.calls.length = 0;
    const missing = path.join(certs.dir, 'no-such.crt');
    expect(
      await reloadWith((doc) =>
        doc.setIn([...community, 'delivery'], {
          url: first.url,
          tls: { cert: missing, key: certs.file('router', 'key') },
        }),
      ),
    ).toBe(false);
    expect(logLines.filter((l) => l.message.startsWith('routes reload refused'))).toEqual([
      expect.objectContaining({
        level: 'error',
        reason: expect.stringMatching(
          /^end point riverside-community's delivery: cannot read the certificate .*no-such\.crt/,
        ),
      }),
    ]);
    await toCommunity();
    await waitForCalls(second, 1);
    expect(second.calls[0]!.clientCn).toBe('router-renewed');
    expect(first.calls).toHaveLength(0);
  });

  test('delivery.url removed while a call is in flight: that message is answered, recorded and acked once; the next waits on the queue', async () => {
    second.calls.length = 0;
    second.script({ status: 200, body: OK_BODY, delayMs: 1500 });
    const inHand = await toCommunity();
    await waitForCalls(second, 1); // the call has arrived; its answer comes in 1.5 s
    expect(
      await reloadWith((doc) => {
        doc.deleteIn([...community, 'delivery']);
      }),
    ).toBe(true);
    // the reload resolved after the worker stopped: the call in hand was answered and recorded
    const story = await h.waitForStory(inHand.trackingId, (s) =>
      (s.messages[0]?.events ?? []).some((e) => e.detail?.startsWith('web service call')),
    );
    expect(story.messages).toHaveLength(1);
    expect(
      story.messages[0]!.events.filter((e) => e.detail?.startsWith('web service call')),
    ).toHaveLength(1);
    const after = await toCommunity();
    await sleep(500);
    expect(second.calls).toHaveLength(1);
    // nothing redelivered: only the new message is on the queue, for the AMQP end point
    const got = await h.takeOne(h.queue('riverside-community'));
    expect(got.properties.headers?.['itk-tracking-id']).toBe(after.trackingId);
    await h.expectEmpty([h.queue('riverside-community')]);
  });

  test('an end point removed from the routes: its worker stops', async () => {
    const msg = cda({ addresses: [ADDR.ooh], senderAddress: ADDR.gp });
    await h.publish('gp', msg.bytes);
    await waitForCalls(ooh, 1);
    expect(await reloadWith((doc) => doc.deleteIn(['endpoints', 'ooh-111']))).toBe(true);
    // a message left on its queue (say, before the reload) is no longer called
    h.client.channel.sendToQueue(h.queue('ooh-111'), Buffer.from('<left-over/>'), {
      persistent: true,
    });
    await sleep(500);
    expect(ooh.calls).toHaveLength(1);
    const { messageCount } = await h.client.channel.checkQueue(h.queue('ooh-111'));
    expect(messageCount).toBe(1);
    await h.client.channel.purgeQueue(h.queue('ooh-111'));
  });
});
