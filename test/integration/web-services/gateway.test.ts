/**
 * The web-service gateway on real TLS (loopback) and the real broker: mutual TLS, the gate's
 * faults over the wire, 200 and 202 answers only after the publisher confirm, the DE delivered to
 * an AMQP end point unchanged apart from namespace declarations, the gateway's header believed
 * only from the router's own broker user, and a broker that refuses the router answered 503.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '../../../src/router/00-common/logger.js';
import { childNamed, parseLite } from '../../../src/router/03-envelope/lite-xml.js';
import { FULL_PERMISSIONS } from '../../support/broker-admin.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { NS, soapCall, serviceOf, withoutDeclaration } from '../../support/soap-calls.js';
import { runCli } from '../../support/run-cli.js';
import { sleep } from '../../support/wait-for.js';
import { makeTestCerts, post, type CertDir, webServicesYaml } from '../../support/ws-tls.js';
import { ADDR, cda, readInfAck } from '../pipeline/de-messages.js';

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
let other: CertDir; // another CA, its own riverside-gp
const logLines: { level: string; message: string; soapMessageId?: string; trackingId?: string }[] =
  [];
const logStream = new PassThrough();
logStream.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
    logLines.push(JSON.parse(line) as (typeof logLines)[number]);
});
const options: { routesDir?: string; routerYaml?: string; logger?: Logger } = {
  logger: createLogger('info', logStream),
};
beforeAll(() => {
  certs = makeTestCerts(['riverside-gp', 'stranger']);
  other = makeTestCerts(['riverside-gp']);
  const routesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-ws-routes-'));
  fs.writeFileSync(path.join(routesDir, 'endpoints.yaml'), ROUTES);
  options.routesDir = routesDir;
  options.routerYaml = [webServicesYaml(certs, ['path: /itk', 'clockSkew: 5m']), ''].join('\n');
});
const h = useRouterHarness(options);
afterAll(() => {
  certs?.remove();
  other?.remove();
  if (options.routesDir) fs.rmSync(options.routesDir, { recursive: true, force: true });
});

const url = () => `https://127.0.0.1:${h.router.soapPort}/itk`;
const as = (name: string, dir = certs) => ({
  cert: dir.read(name, 'crt'),
  key: dir.read(name, 'key'),
});
const call = (body: string, client = as('riverside-gp'), soapAction = serviceOf(body)) =>
  post(url(), body, { ca: certs.read('ca', 'crt'), client, soapAction });

const faultOf = (body: string) => {
  const fault = childNamed(childNamed(parseLite(body), 'Body', NS.soap), 'Fault', NS.soap);
  const info = childNamed(
    fault?.children.find((c) => c.name === 'detail'),
    'ToolkitErrorInfo',
    NS.itk,
  );
  return {
    faultcode: fault?.children.find((c) => c.name === 'faultcode')?.text,
    code: childNamed(info, 'ErrorCode', NS.itk)?.text,
    diagnostic: childNamed(info, 'ErrorDiagnosticText', NS.itk)?.text,
  };
};
const deElement = (xml: string) => xml.slice(xml.indexOf('<itk:DistributionEnvelope')).trimEnd();
const community = () => h.queue('riverside-community');
const everywhere = () => [community(), h.queue('riverside-gp'), h.names.quarantineQueue];

describe('the web-service gateway (mutual TLS, real broker)', () => {
  test('a client without a certificate fails the TLS handshake; nothing is published', async () => {
    const msg = cda();
    await expect(
      post(url(), soapCall({ de: msg.xml }), {
        ca: certs.read('ca', 'crt'),
        soapAction: serviceOf(msg.xml),
      }),
    ).rejects.toThrow();
    await h.expectEmpty(everywhere());
  });

  test('a certificate from another CA fails the TLS handshake; nothing is published', async () => {
    const msg = cda();
    await expect(call(soapCall({ de: msg.xml }), as('riverside-gp', other))).rejects.toThrow();
    await h.expectEmpty(everywhere());
  });

  test('a valid certificate that no end point lists: fault 3000, nothing published', async () => {
    const msg = cda();
    const answer = await call(soapCall({ de: msg.xml }), as('stranger'));
    expect(answer.status).toBe(500);
    expect(faultOf(answer.body)).toEqual({
      faultcode: 'soap:Client',
      code: '3000',
      diagnostic: expect.stringMatching(
        /^the client certificate \(CN=stranger, sha256:[0-9a-f]{64}\) is not listed by any end point$/,
      ),
    });
    await h.expectEmpty(everywhere());
  });

  test('an accepted call is answered 200 after the confirm, and the DE reaches the AMQP end point as sent', async () => {
    const msg = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
    const messageId = '5E0C6F3A-1B2D-4C4E-8F9A-0B1C2D3E4F50';
    const answer = await call(soapCall({ de: msg.xml, messageId }));
    expect(answer.status).toBe(200);
    const root = parseLite(answer.body);
    const header = childNamed(root, 'Header', NS.soap);
    expect(childNamed(header, 'RelatesTo', NS.wsa)?.text).toBe(messageId);
    expect(childNamed(header, 'Action', NS.wsa)?.text).toBe(`${serviceOf(msg.xml)}Response`);
    expect(
      childNamed(childNamed(root, 'Body', NS.soap), 'SimpleMessageResponse', NS.itk)?.text,
    ).toBe('OK');

    const got = await h.takeOne(community());
    // the DE element itself, byte for byte (the fixture's leading comment is not part of it)
    expect(got.content.toString('utf8')).toBe(deElement(msg.xml));
    expect(got.properties.headers?.['itk-sender']).toBe('riverside-gp');
    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record).toMatchObject({
      senderEndpointId: 'riverside-gp',
      outcome: 'delivered',
    });
    // One log line for the call: the pipeline's, naming the call's wsa:MessageID.
    const lines = logLines.filter(
      (l) => l.trackingId === msg.trackingId || l.soapMessageId === messageId,
    );
    expect(lines.map((l) => [l.message, l.soapMessageId])).toEqual([
      ['message processed', messageId],
    ]);
  });

  test('a call with a non-anonymous ReplyTo is answered 202 with an empty body, and delivered', async () => {
    const msg = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
    const answer = await call(soapCall({ de: msg.xml, replyTo: 'https://gp.example/itk/replies' }));
    expect(answer).toEqual({ status: 202, body: '' });
    const got = await h.takeOne(community());
    expect(got.properties.headers?.['itk-tracking-id']).toBe(msg.trackingId);
  });

  test.each([
    ['no wsa:MessageID', { messageId: null }, 'missing from the SOAP header: wsa:MessageID'],
    ['no wsa:To', { to: null }, 'missing from the SOAP header: wsa:To'],
    [
      'no timestamp',
      { created: null, expires: null },
      'missing from the SOAP header: wsse:Security/wsu:Timestamp/wsu:Created, wsse:Security/wsu:Timestamp/wsu:Expires',
    ],
    [
      'no username',
      { username: null },
      'missing from the SOAP header: wsse:Security/wsse:UsernameToken/wsse:Username',
    ],
    [
      'an expired timestamp',
      { created: '2020-01-01T00:00:00Z', expires: '2020-01-01T00:05:00Z' },
      /^message expired: wsu:Expires 2020-01-01T00:05:00Z is past/,
    ],
    [
      'wsa:Action not the service',
      { action: 'urn:nhs-itk:services:201005:SendDocument-v1-0' },
      /^SOAPAction, wsa:Action and the DE's service must be equal/,
    ],
    [
      'two DEs',
      'two',
      'the SOAP body must hold exactly one itk:DistributionEnvelope and nothing else; found 2',
    ],
  ] as const)(
    'the gate over the wire: %s is a 1000 fault, nothing published',
    async (_, parts, diagnostic) => {
      const msg = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
      const body =
        parts === 'two'
          ? soapCall({ de: msg.xml, bodyExtra: withoutDeclaration(msg.xml) })
          : soapCall({ de: msg.xml, ...parts });
      const answer = await call(body, as('riverside-gp'), serviceOf(msg.xml));
      expect(answer.status).toBe(500);
      const fault = faultOf(answer.body);
      expect(fault.code).toBe('1000');
      expect(fault.faultcode).toBe('soap:Client');
      if (typeof diagnostic === 'string') expect(fault.diagnostic).toBe(diagnostic);
      else expect(fault.diagnostic).toMatch(diagnostic);
      await h.expectEmpty(everywhere());
    },
  );

  test('the SOAPAction header must agree too, and a wrong Content-Type is refused', async () => {
    const msg = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
    const wrongAction = await call(soapCall({ de: msg.xml }), as('riverside-gp'), 'urn:other');
    expect(faultOf(wrongAction.body).diagnostic).toMatch(
      /^SOAPAction, wsa:Action and the DE's service must be equal: SOAPAction "urn:other"/,
    );
    const wrongType = await post(url(), soapCall({ de: msg.xml }), {
      ca: certs.read('ca', 'crt'),
      client: as('riverside-gp'),
      soapAction: serviceOf(msg.xml),
      contentType: 'application/soap+xml',
    });
    expect(faultOf(wrongType.body)).toMatchObject({
      code: '1000',
      diagnostic: 'Content-Type must be text/xml (SOAP 1.1), got "application/soap+xml"',
    });
    await h.expectEmpty(everywhere());
  });

  test("after the gate it is the pipeline: a sender address not the end point's is nacked 3000 to the web-service end point", async () => {
    const msg = cda({
      addresses: [ADDR.community],
      senderAddress: 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY',
    });
    expect((await call(soapCall({ de: msg.xml }))).status).toBe(200);
    const nack = readInfAck(await h.takeOne(h.queue('riverside-gp')));
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.errors[0]!.diagnostic).toMatch(/^3000 .*riverside-gp may not send as/);
    await h.expectEmpty([community()]);
  });

  test('an AMQP supplier cannot pass as a web-service end point: its gateway header is ignored', async () => {
    const msg = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
    await h.publish('community', msg.bytes, {
      headers: { 'itk-gateway-endpoint': 'riverside-gp' },
    });
    // judged as riverside-community (its own user), which may not send as the GP: nacked 3000
    const nack = readInfAck(await h.takeOne(community()));
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.errors[0]!.diagnostic).toMatch(/^3000 .*riverside-community may not send as/);
    await h.expectEmpty([h.queue('riverside-gp')]);
  });

  test('itk-router send --soap calls the gateway as a SOAP supplier would: HTTP 200, delivered', async () => {
    const msg = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
    const file = path.join(certs.dir, 'message.xml');
    fs.writeFileSync(file, msg.xml);
    const run = await runCli([
      'send',
      file,
      '--soap',
      url(),
      '--cert',
      certs.file('riverside-gp', 'crt'),
      '--key',
      certs.file('riverside-gp', 'key'),
      '--ca',
      certs.file('ca', 'crt'),
    ]);
    expect(run.out).toBe(`called ${url()} with ${file}: tracking id ${msg.trackingId}, HTTP 200\n`);
    expect(run.code).toBe(0);
    expect((await h.takeOne(community())).properties.headers?.['itk-tracking-id']).toBe(
      msg.trackingId,
    );
  });

  test('a broker outage is answered 503 (busy) and nothing is half-accepted; afterwards 200 again', async () => {
    // Break the wire: the broker refuses the router's user everything, and drops its connections
    // (RabbitMQ caches permissions per channel, so open channels must go too).
    const { admin, vhost } = h.vhost;
    await admin.setPermissions(vhost, h.routerUserName, {
      configure: '^$',
      write: '^$',
      read: '^$',
    });
    const msg = cda({ addresses: [ADDR.community], senderAddress: ADDR.gp });
    try {
      await admin.closeConnections(vhost, 'itk-router');
      const answer = await call(soapCall({ de: msg.xml }));
      expect(answer.status).toBe(503);
      expect(faultOf(answer.body)).toMatchObject({ faultcode: 'soap:Server', code: '2100' });
    } finally {
      await admin.setPermissions(vhost, h.routerUserName, FULL_PERMISSIONS);
    }
    // back: the same call is accepted (once the router is connected again) and delivered once
    let status = 0;
    for (let tries = 0; status !== 200 && tries < 100; tries++) {
      status = (await call(soapCall({ de: msg.xml }))).status;
      if (status !== 200) await sleep(200);
    }
    expect(status).toBe(200);
    const got = await h.takeOne(community(), 20000);
    expect(got.properties.headers?.['itk-tracking-id']).toBe(msg.trackingId);
    await h.expectEmpty(everywhere());
  }, 60000);
});
