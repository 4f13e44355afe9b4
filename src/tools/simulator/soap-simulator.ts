/**
 * The web-service adapter of the simulator (`simulate <endpoint> --soap`): an end point with
 * `delivery.url` that the router calls. It listens on HTTPS with the end point's certificate
 * (`<certs>/<id>.crt`, `.key`), requires a client certificate chaining to `<certs>/ca.crt` (the
 * router's), answers each call at once (200 SimpleMessageResponse, or a fault / 503 on demand),
 * then behaves like the AMQP simulator (delivery-handler.ts): validates, acknowledges, answers
 * care-plan messages, sending each answer by SOAP to the router's gateway with its certificate.
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadRoutes } from '../../router/01-config/index.js';
import { createValidator } from '../../router/04-validation/create-validator.js';
import { DEFAULT_LIMITS } from '../../router/04-validation/safety.js';
import { readSoapCall } from '../../router/11-web-services/soap-call.js';
import { simpleMessageResponse, soapFault } from '../../router/11-web-services/soap-messages.js';
import type { FaultCode } from '../../router/11-web-services/soap-names.js';
import { soapClient } from '../sandbox/soap-client.js';
import { createDeliveryHandler } from './delivery-handler.js';
import { emptyState } from './plan-store.js';
import { endpointOf } from './simulated-endpoint.js';
import type { InboundMessage } from '../../router/02-transport/index.js';
import type { ReceivedRecord, SentRecord } from './simulator-options.js';
import type { FaultRule } from './faults.js';

export interface SoapSimulatorOptions {
  readonly endpointId: string;
  readonly routes: string;
  /** Folder of `itk-router certs`: ca.crt, <id>.crt, <id>.key. */
  readonly certs: string;
  readonly host: string;
  readonly port: number;
  /** The router's gateway URL, for the answers (acks); none: answers are not sent. */
  readonly routerUrl?: string;
  /** Answer every call with this ITK fault (HTTP 500) instead of 200. */
  readonly faultCode?: FaultCode;
  /** Answer every call 503 (busy). */
  readonly busy?: boolean;
  readonly faults: readonly FaultRule[];
  readonly log: (line: string) => void;
}

export interface RunningSoapSimulator {
  readonly url: string;
  readonly received: readonly ReceivedRecord[];
  readonly sent: readonly SentRecord[];
  stop(): Promise<void>;
}

export async function startSoapSimulator(o: SoapSimulatorOptions): Promise<RunningSoapSimulator> {
  const routes = loadRoutes(o.routes);
  const endpoint = endpointOf(routes, o.endpointId);
  const self = { endpointId: endpoint.id, addresses: endpoint.addresses };
  const username = `urn:nhs-uk:identity:${endpoint.id}`;
  const file = (name: string) => fs.readFileSync(path.join(o.certs, name));
  const validator = createValidator({
    planTypes: new Set(routes.careplans?.planTypes ?? []),
    payloadContent: true,
  });
  const client = o.routerUrl
    ? soapClient(o.routerUrl, {
        cert: path.join(o.certs, `${endpoint.id}.crt`),
        key: path.join(o.certs, `${endpoint.id}.key`),
        ca: path.join(o.certs, 'ca.crt'),
      })
    : undefined;
  const received: ReceivedRecord[] = [];
  const sent: SentRecord[] = [];
  const abort = new AbortController();
  const handle = createDeliveryHandler({
    validator,
    self,
    faults: o.faults,
    now: () => new Date(),
    log: o.log,
    publish: async (out) => {
      if (!client) return;
      const answer = await client.post(Buffer.from(out.xml, 'utf8'), username);
      if (answer.status >= 300) throw new Error(`the router answered HTTP ${answer.status}`);
    },
    signal: abort.signal,
    received,
    sent,
    state: { current: emptyState([]) },
    handled: () => undefined,
  });
  let queue = Promise.resolve(); // one message at a time, in the order the calls came
  const server = https.createServer(
    {
      cert: file(`${endpoint.id}.crt`),
      key: file(`${endpoint.id}.key`),
      ca: file('ca.crt'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = (status: number, body: string) =>
          res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' }).end(body);
        if (o.busy) {
          o.log('busy: answered 503');
          return reply(503, '');
        }
        const soapAction = req.headers['soapaction'];
        const gate = readSoapCall(
          {
            body: Buffer.concat(chunks),
            contentType: req.headers['content-type'],
            soapAction: Array.isArray(soapAction) ? soapAction[0] : soapAction,
          },
          { limits: DEFAULT_LIMITS, clockSkewMs: 5 * 60_000, now: new Date() },
        );
        if (!gate.ok) {
          o.log(`refused a call: ${gate.refusal.diagnostic}`);
          return reply(500, soapFault(gate.refusal));
        }
        if (o.faultCode) {
          o.log(`fault ${o.faultCode}: refused ${gate.call.messageId}`);
          return reply(
            500,
            soapFault({
              code: o.faultCode,
              diagnostic: 'refused on demand (simulate --soap-fault)',
              relatesTo: gate.call.messageId,
            }),
          );
        }
        reply(
          200,
          simpleMessageResponse({
            service: gate.call.service,
            relatesTo: gate.call.messageId,
            username,
            now: new Date(),
          }),
        );
        const body = Buffer.from(gate.call.de, 'utf8');
        queue = queue.then(async () => {
          await handle(asDelivery(body)).catch((err: Error) => o.log(`failed: ${err.message}`));
        });
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(o.port, o.host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `https://${o.host}:${port}/itk`;
  o.log(
    `simulating ${endpoint.id} (${endpoint.name}) on web services at ${url}${o.routerUrl ? `; answers to ${o.routerUrl}` : '; answers not sent (no --router)'}`,
  );
  return {
    url,
    received,
    sent,
    stop: async () => {
      abort.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await queue;
      client?.close();
      validator.dispose();
    },
  };
}

/** A DE received by web service, in the shape the delivery handler reads (only the body matters). */
function asDelivery(body: Buffer): InboundMessage {
  const none = undefined;
  return {
    body,
    properties: {
      userId: none,
      messageId: none,
      type: none,
      appId: none,
      contentType: 'text/xml',
      contentEncoding: none,
      correlationId: none,
      replyTo: none,
      deliveryMode: none,
      priority: none,
      expiration: none,
      timestamp: none,
      headers: {},
    },
    redelivered: false,
    deliveryTag: 0,
    exchange: '',
    routingKey: '',
  };
}
