/**
 * Tracing as `itk-router start` runs it (dist/, so `npm run build` first), on the real broker:
 * - no OTEL_* variables: tracing off, so the delivered copy carries no traceparent (though the
 *   supplier's message did), no log line has trace_id, and no @opentelemetry module is loaded;
 * - OTEL_EXPORTER_OTLP_ENDPOINT set: spans reach an in-process OTLP/HTTP receiver in the
 *   supplier's trace, the copy's traceparent names the router's `send` span, log lines carry
 *   trace_id, and the SDK is loaded (so the module check above can fail).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createTestVhost, type TestUser, type TestVhost } from '../support/broker.js';
import { expectMessages, openTestClient, publishAs, type TestClient } from '../support/messages.js';
import {
  createRouterWorkspace,
  PACKAGE_ROOT,
  startRouterProcess,
  type RouterWorkspace,
} from '../support/router-process.js';
import { sleep } from '../support/wait-for.js';
import { cda } from './pipeline/de-messages.js';

const RECORDER = path.join(PACKAGE_ROOT, 'test', 'support', 'record-imports.mjs');
const OTEL_OFF = {
  OTEL_TRACES_EXPORTER: '',
  OTEL_EXPORTER_OTLP_ENDPOINT: '',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
  OTEL_SDK_DISABLED: '',
};

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** An OTLP/HTTP (JSON) trace receiver on a free loopback port. */
async function startReceiver() {
  const spans: OtlpSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const doc = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let vhost: TestVhost;
let workspace: RouterWorkspace;
let client: TestClient;
let gp: TestUser;
beforeAll(async () => {
  vhost = await createTestVhost();
  workspace = createRouterWorkspace();
  client = await openTestClient(vhost.url);
  gp = await vhost.createUser(workspace.users['riverside-gp']!);
}, 120_000);
afterAll(async () => {
  await client?.close();
  await vhost?.deleteAll();
  workspace?.remove();
}, 60_000);

async function runOnce(env: Record<string, string>) {
  const imports = path.join(workspace.dir, `imports-${randomBytes(4).toString('hex')}.txt`);
  const router = await startRouterProcess({
    workspace,
    amqpUrl: vhost.url,
    readyTimeoutMs: 60_000,
    env: { ...OTEL_OFF, NODE_OPTIONS: `--import ${RECORDER}`, RECORD_IMPORTS_TO: imports, ...env },
  });
  try {
    const supplier = {
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
    };
    const msg = cda();
    await publishAs(gp, 'itk.inbound', '', msg.bytes, {
      contentType: 'application/xml',
      headers: { traceparent: `00-${supplier.traceId}-${supplier.spanId}-01`, tracestate: 'gp=1' },
    });
    const [copy] = await expectMessages(
      client.channel,
      'itk.endpoint.riverside-community',
      1,
      20_000,
    );
    const deadline = Date.now() + 10_000;
    while (!router.logs.some((l) => l.message === 'message processed') && Date.now() < deadline)
      await sleep(25);
    return { router, copy: copy!, supplier, imports, msg };
  } finally {
    await router.terminate();
  }
}

const loaded = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

test('off by default: no traceparent added, no trace ids in the logs, no OpenTelemetry module loaded', async () => {
  const { router, copy, imports } = await runOnce({});
  expect(copy.properties.headers?.traceparent).toBeUndefined();
  expect(copy.properties.headers?.tracestate).toBeUndefined();
  expect(router.logs.find((l) => String(l.message).startsWith('tracing off'))).toBeDefined();
  expect(router.logs.filter((l) => 'trace_id' in l)).toEqual([]);
  const modules = loaded(imports);
  expect(modules.some((u) => u.includes('/dist/src/router/main.js'))).toBe(true); // the recorder works
  expect(modules.filter((u) => u.includes('@opentelemetry'))).toEqual([]);
}, 120_000);

test('on with OTEL_EXPORTER_OTLP_ENDPOINT: spans in the supplier trace reach the collector; the copy names the router send span', async () => {
  const receiver = await startReceiver();
  try {
    const { router, copy, supplier, imports, msg } = await runOnce({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const deadline = Date.now() + 10_000;
    while (!receiver.spans.some((s) => s.name.startsWith('send ')) && Date.now() < deadline)
      await sleep(50);
    const ours = receiver.spans.filter((s) => s.traceId === supplier.traceId);
    const process = ours.find((s) => s.name === 'process itk.inbound');
    expect(process?.parentSpanId).toBe(supplier.spanId);
    const send = ours.find((s) => s.name === 'send itk.deliver');
    expect(send).toBeDefined();
    expect(String(copy.properties.headers?.traceparent)).toBe(
      `00-${supplier.traceId}-${send!.spanId}-01`,
    );
    expect(String(copy.properties.headers?.tracestate)).toBe('gp=1');
    expect(router.logs.find((l) => l.message === 'message processed')).toMatchObject({
      trackingId: msg.trackingId,
      trace_id: supplier.traceId,
    });
    expect(loaded(imports).some((u) => u.includes('@opentelemetry/sdk-trace-base'))).toBe(true);
  } finally {
    await receiver.close();
  }
}, 120_000);
