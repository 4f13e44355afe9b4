/**
 * kill -9 of the router while web-service calls come in and deliveries go out (docs/web-services.md):
 * a SOAP supplier (riverside-gp, by its certificate) calls the gateway, retrying each call until it
 * is answered 200; the router delivers each to riverside-community, a web-service end point (a test
 * HTTPS server). The router is SIGKILLed once some but not all have been delivered, then started
 * again on the same store. Every call answered 200 must reach the end point, and every call the end
 * point answered 200 must be recorded on its message's story.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { openStore } from '../../src/router/08-store/open-store.js';
import { soapClient } from '../../src/tools/sandbox/soap-client.js';
import { createTestVhost, type TestVhost } from '../support/broker.js';
import {
  createRouterWorkspace,
  startRouterProcess,
  type RouterProcess,
  type RouterWorkspace,
} from '../support/router-process.js';
import {
  makeTestCerts,
  startTestEndpoint,
  type CertDir,
  type TestEndpointServer,
} from '../support/ws-tls.js';
import { cdaDocument, disruptive, newTrackingId, report, until } from './helpers.js';

const TOTAL = 200;
const CONCURRENCY = 8;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

disruptive('kill -9 with web-service calls and deliveries in flight', () => {
  let vhost: TestVhost;
  let certs: CertDir;
  let endpoint: TestEndpointServer;
  let workspace: RouterWorkspace;
  let router: RouterProcess | undefined;
  afterAll(async () => {
    await router?.kill9();
    await endpoint?.close();
    certs?.remove();
    workspace?.remove();
    await vhost?.deleteAll();
  });

  test('nothing answered 200 is lost, nothing the end point confirmed goes unrecorded', async () => {
    vhost = await createTestVhost();
    const routerUser = await vhost.createUser(vhost.uniqueName('ws-router'));
    certs = makeTestCerts(['riverside-gp', 'riverside-community']);
    endpoint = await startTestEndpoint(certs, 'riverside-community');
    workspace = createRouterWorkspace();
    const endpoints = path.join(workspace.routesDir, 'endpoints.yaml');
    fs.writeFileSync(
      endpoints,
      fs
        .readFileSync(endpoints, 'utf8')
        .replace(
          "    addresses: ['urn:nhs-uk:addressing:ods:RDE01:*']\n",
          `    addresses: ['urn:nhs-uk:addressing:ods:RDE01:*']\n    delivery: { url: "${endpoint.url}", timeout: 5s }\n`,
        ),
    );
    const soapPort = await freePort();
    const start = () =>
      startRouterProcess({
        workspace,
        amqpUrl: routerUser.url,
        env: {
          ITK_ROUTER_SOAP_PORT: String(soapPort),
          ITK_ROUTER_TLS_CERT: certs.file('router', 'crt'),
          ITK_ROUTER_TLS_KEY: certs.file('router', 'key'),
          ITK_ROUTER_TLS_CA: certs.file('ca', 'crt'),
        },
      });
    router = await start();
    const client = soapClient(
      `https://localhost:${soapPort}/itk`,
      {
        cert: certs.file('riverside-gp', 'crt'),
        key: certs.file('riverside-gp', 'key'),
        ca: certs.file('ca', 'crt'),
      },
      CONCURRENCY,
    );
    const ids = Array.from({ length: TOTAL }, () => newTrackingId());
    const accepted = new Set<string>();
    let failedCalls = 0;
    const callUntilAccepted = async (id: string) => {
      for (;;) {
        const status = await client.post(cdaDocument(id)).then(
          (a) => a.status,
          () => 0,
        );
        if (status === 200) return void accepted.add(id);
        failedCalls++;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const delivered = () =>
      new Set(endpoint.calls.map((c) => /trackingid="([^"]+)"/.exec(c.body)?.[1]));
    const send = (batch: string[]) =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let id = batch.shift(); id; id = batch.shift()) await callUntilAccepted(id);
        }),
      );
    // The first half called in; once a few are delivered, the second half starts and the router is
    // killed with calls in flight on both sides (calls coming in, deliveries going out).
    const first = send(ids.slice(0, TOTAL / 2));
    await until(() => delivered().size >= 10, 'a few delivered before the kill', 60_000);
    const second = send(ids.slice(TOTAL / 2));
    await new Promise((r) => setTimeout(r, 100));
    await router.kill9();
    const atKill = { accepted: accepted.size, delivered: delivered().size };
    router = await start();
    await Promise.all([first, second]);
    await until(
      () => ids.every((id) => delivered().has(id)),
      'every accepted call delivered',
      60_000,
    );
    client.close();
    await router.terminate();
    router = undefined;

    const store = await openStore(
      { kind: 'sqlite', url: `sqlite:${workspace.storePath}`, path: workspace.storePath },
      { instanceId: 'test' },
    );
    const unrecorded: string[] = [];
    try {
      for (const id of ids) {
        const story = await store.track(id);
        const recorded = (story?.messages ?? []).some((m) =>
          m.events.some((e) => e.detail?.startsWith('web service call to')),
        );
        if (!recorded) unrecorded.push(id);
      }
    } finally {
      await store.close();
    }
    const calls = endpoint.calls.length;
    report('web-services kill -9', {
      total: TOTAL,
      atKill,
      failedCalls,
      endpointCalls: calls,
      unrecorded: unrecorded.length,
    });
    expect(accepted.size).toBe(TOTAL);
    expect(ids.filter((id) => !delivered().has(id))).toEqual([]);
    expect(unrecorded).toEqual([]);
  }, 180_000);
});
