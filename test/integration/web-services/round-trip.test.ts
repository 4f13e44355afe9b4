/**
 * An AMQP supplier and a web-service end point through one router, neither able to tell: the GP
 * publishes over AMQP, the router calls the community team's system (`simulate --soap`, its own
 * certificate), which answers 200 and sends its inf ack back by SOAP through the gateway; the GP
 * receives the ack over AMQP and the message's story moves to inf-acked.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  startSoapSimulator,
  type RunningSoapSimulator,
} from '../../../src/tools/simulator/soap-simulator.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { makeTestCerts, type CertDir, webServicesYaml } from '../../support/ws-tls.js';
import { ADDR, cda, readInfAck } from '../pipeline/de-messages.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

let certs: CertDir;
let simulator: RunningSoapSimulator | undefined;
const lines: string[] = [];
const options: { routesDir?: string; routerYaml?: string } = {};
beforeAll(async () => {
  certs = makeTestCerts(['riverside-community']);
  const [simulatorPort, gatewayPort] = [await freePort(), await freePort()];
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
    delivery: { url: "https://127.0.0.1:${simulatorPort}/itk" }
`,
  );
  options.routesDir = routesDir;
  options.routerYaml = [webServicesYaml(certs, [], gatewayPort), ''].join('\n');
  simulator = await startSoapSimulator({
    endpointId: 'riverside-community',
    routes: routesDir,
    certs: certs.dir,
    host: '127.0.0.1',
    port: simulatorPort,
    routerUrl: `https://localhost:${gatewayPort}/itk`,
    faults: [],
    log: (line) => lines.push(line),
  });
}, 60000);
const h = useRouterHarness(options);
afterAll(async () => {
  await simulator?.stop();
  certs?.remove();
  if (options.routesDir) fs.rmSync(options.routesDir, { recursive: true, force: true });
});

test("AMQP out, SOAP in and back: the web-service end point's inf ack reaches the AMQP sender", async () => {
  const msg = cda({
    addresses: [ADDR.community],
    senderAddress: ADDR.gp,
    specs: { infackrequested: 'true', ackrequested: 'false' },
  });
  await h.publish('gp', msg.bytes);
  const ack = readInfAck(await h.takeOne(h.queue('riverside-gp'), 15000));
  expect(ack.result).toBe('OK');
  expect(ack.trackingIdRef).toBe(msg.trackingId);
  const story = await h.waitForStory(
    msg.trackingId,
    (s) => s.messages[0]?.record.state === 'inf-acked',
  );
  expect(story.messages[0]!.events.map((e) => e.detail ?? '')).toContainEqual(
    expect.stringMatching(/^web service call to https:\/\/127\.0\.0\.1:\d+\/itk: HTTP 200$/),
  );
  expect(simulator!.received.map((r) => r.trackingId)).toEqual([msg.trackingId]);
  expect(simulator!.sent.map((s) => s.kind)).toEqual(['inf-ack']);
});
