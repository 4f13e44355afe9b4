/**
 * The harness's web-service parts that are pure: the request of a `call` (the router's own SOAP
 * builder, changed one gate check at a time), read back by the router's own gate so each change
 * draws exactly the refusal the contract names; the checks of a call's answer against the
 * router's own faults; the answers a played end point gives; the gateway URL of a config.
 */
import { readSoapCall } from '../../../src/router/11-web-services/soap-call.js';
import {
  simpleMessageResponse,
  soapFault,
} from '../../../src/router/11-web-services/soap-messages.js';
import { DEFAULT_LIMITS } from '../../../src/router/04-validation/safety.js';
import { loadRouterConfig } from '../../../src/router/01-config/index.js';
import { evaluate } from '../../../src/tools/harness/checks.js';
import { XPATH_NAMESPACES } from '../../../src/tools/harness/model.js';
import { endpointAnswerOf, signedDurationMs } from '../../../src/tools/harness/parse-steps.js';
import {
  deElement,
  harnessRequest,
  type RequestChanges,
} from '../../../src/tools/harness/soap-request.js';
import { answerChecks, describeAnswer } from '../../../src/tools/harness/step-call.js';
import { gatewayOf } from '../../../src/tools/harness/target.js';
import { answerOf, nextAnswer } from '../../../src/tools/harness/web-session.js';
import type { Arrived } from '../../../src/tools/harness/mailroom.js';

const SERVICE = 'urn:nhs-itk:services:201005:SendCDADocument-v2-0';
const DE = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment before the DE -->
<itk:DistributionEnvelope xmlns:itk="urn:nhs-itk:ns:201005"><itk:header service="${SERVICE}" trackingid="A1B2C3D4-0000-4000-8000-000000000001"/></itk:DistributionEnvelope>
`;
const NOW = new Date('2026-12-08T03:00:00Z');
const GATEWAY = 'https://127.0.0.1:8443/itk';

function gate(changes: RequestChanges) {
  const r = harnessRequest({
    de: Buffer.from(DE),
    service: SERVICE,
    gateway: GATEWAY,
    username: 'urn:nhs-uk:identity:ods:A83001',
    now: NOW,
    messageId: '6F1C3E0A-1111-4222-8333-944455566677',
    changes,
  });
  return {
    r,
    result: readSoapCall(
      { body: r.body, contentType: r.headers['Content-Type'], soapAction: r.headers.SOAPAction },
      { limits: DEFAULT_LIMITS, clockSkewMs: 5 * 60_000, now: NOW },
    ),
  };
}

const refusal = (changes: RequestChanges): string => {
  const { result } = gate(changes);
  return result.ok ? '(accepted)' : result.refusal.diagnostic;
};

describe("a call's request, read by the router's own gate", () => {
  test('unchanged, it passes the gate with the DE, the service and the MessageID', () => {
    const { r, result } = gate({});
    expect(r.headers).toEqual({
      'Content-Type': 'text/xml; charset=utf-8',
      SOAPAction: `"${SERVICE}"`,
    });
    expect(result.ok && result.call).toMatchObject({
      messageId: '6F1C3E0A-1111-4222-8333-944455566677',
      action: SERVICE,
      to: GATEWAY,
      service: SERVICE,
    });
    expect(r.messageId).toBe('6F1C3E0A-1111-4222-8333-944455566677');
    expect(result.ok && result.call.replyTo).toBeUndefined();
  });

  test('each change draws the refusal the contract names', () => {
    expect(refusal({ contentType: 'application/soap+xml' })).toMatch(
      /^Content-Type must be text\/xml/,
    );
    expect(refusal({ repeat: ['wsa:MessageID'] })).toBe(
      'the SOAP header has more than one wsa:MessageID',
    );
    expect(refusal({ omit: ['wsse:Security'] })).toBe(
      'missing from the SOAP header: wsse:Security/wsu:Timestamp/wsu:Created, wsse:Security/wsu:Timestamp/wsu:Expires, wsse:Security/wsse:UsernameToken/wsse:Username',
    );
    expect(refusal({ omit: ['wsa:To', 'wsse:Username'] })).toBe(
      'missing from the SOAP header: wsa:To, wsse:Security/wsse:UsernameToken/wsse:Username',
    );
    expect(refusal({ set: { 'wsa:MessageID': 'not-a-uuid' } })).toMatch(
      /^wsa:MessageID must be a UUID/,
    );
    expect(refusal({ soapAction: 'urn:other' })).toMatch(
      /^SOAPAction, wsa:Action and the DE's service must be equal: SOAPAction "urn:other"/,
    );
    expect(refusal({ soapAction: '' })).toMatch(/SOAPAction null/);
    expect(refusal({ set: { 'wsu:Created': '2026-12-08T03:00:00' } })).toMatch(
      /^wsu:Created must be an xs:dateTime with a time zone/,
    );
    expect(refusal({ shiftMs: -3600_000 })).toMatch(/^message expired: wsu:Expires /);
    expect(refusal({ shiftMs: 3600_000 })).toMatch(
      /^message expired: wsu:Created .* is in the future/,
    );
    expect(refusal({ shiftMs: -60_000 })).toBe('(accepted)');
  });

  test('a ReplyTo is added as an endpoint reference; a set value is escaped', () => {
    const { result } = gate({ replyTo: 'https://x.invalid/r?a=1&b=2' });
    expect(result.ok && result.call.replyTo).toBe('https://x.invalid/r?a=1&b=2');
    const { r } = gate({ set: { 'wsa:To': 'a<b' } });
    expect(r.body.toString()).toContain('<wsa:To>a&lt;b</wsa:To>');
  });

  test('an element the request does not have is refused by name', () => {
    expect(() => gate({ omit: ['wsa:ReplyTo'] })).toThrow(
      /soap.omit: wsa:ReplyTo is not an element/,
    );
  });

  test('the DE element of a document: no declaration, no comment before it', () => {
    expect(deElement(DE)).toMatch(
      /^<itk:DistributionEnvelope [\s\S]*<\/itk:DistributionEnvelope>$/,
    );
    expect(deElement('not xml')).toBe('not xml');
  });
});

const arrived = (
  status: number | undefined,
  body: string,
  headers: Record<string, string> = {},
): Arrived => ({
  seq: 1,
  at: 0,
  where: '$gateway',
  queue: 'answer',
  body: Buffer.from(body),
  properties: status === undefined ? {} : { status },
  headers,
});

const verdicts = (checks: ReturnType<typeof answerChecks>, m: Arrived) =>
  evaluate(checks, m).map((c) => `${c.ok ? 'ok' : 'BAD'} ${c.what}`);

describe("the checks of a call's answer", () => {
  const id = (s: string) => s;
  const fault = soapFault({
    code: '3000',
    diagnostic: 'the client certificate (CN=x) is not listed by any end point',
  });

  test("the router's own fault meets every check of its code; another code breaks them", () => {
    const checks = answerChecks(
      { status: 500, fault: { faultcode: 'Client', code: '3000', diagnostic: 'not listed' } },
      id,
      XPATH_NAMESPACES,
    );
    expect(verdicts(checks, arrived(500, fault)).filter((v) => v.startsWith('BAD'))).toEqual([]);
    expect(checks.map((c) => c.what)).toEqual([
      'HTTP status 500',
      'a SOAP fault (/soap:Envelope/soap:Body/soap:Fault)',
      `the fault's wsa:Action = "http://www.w3.org/2005/08/addressing/soap/fault"`,
      'faultcode (local part) = "Client"',
      'ToolkitErrorInfo ErrorCode = "3000"',
      'ErrorCode/@codeSystem = "2.16.840.1.113883.2.1.3.2.4.17.268"',
      'ErrorText = "Access denied"',
      'ErrorID is an upper-case UUID',
      'ErrorDiagnosticText matches /not listed/',
    ]);
    const other = soapFault({ code: '2100', diagnostic: 'busy' });
    expect(verdicts(checks, arrived(503, other)).filter((v) => v.startsWith('BAD'))).toEqual([
      'BAD HTTP status 500',
      'BAD faultcode (local part) = "Client"',
      'BAD ToolkitErrorInfo ErrorCode = "3000"',
      'BAD ErrorText = "Access denied"',
      'BAD ErrorDiagnosticText matches /not listed/',
    ]);
  });

  test('nothing said: a 200 is wanted', () => {
    const ok = simpleMessageResponse({ service: SERVICE, relatesTo: 'x', username: 'r', now: NOW });
    const checks = answerChecks({}, id, XPATH_NAMESPACES);
    expect(verdicts(checks, arrived(200, ok))).toEqual(['ok HTTP status 200']);
    expect(verdicts(checks, arrived(500, fault))).toEqual(['BAD HTTP status 200']);
  });

  test('a refused handshake: a connection and no answer; a connection never made is not a refusal', () => {
    const checks = answerChecks({ refused: true }, id, XPATH_NAMESPACES);
    expect(verdicts(checks, arrived(undefined, '', { connected: 'true', error: 'alert' }))).toEqual(
      ['ok the TLS handshake is refused (no HTTP answer)'],
    );
    expect(
      verdicts(checks, arrived(undefined, '', { connected: 'false', error: 'ECONNREFUSED' })),
    ).toEqual(['BAD the TLS handshake is refused (no HTTP answer)']);
    expect(verdicts(checks, arrived(500, fault, { connected: 'true' }))).toEqual([
      'BAD the TLS handshake is refused (no HTTP answer)',
    ]);
  });

  test('an answer in a line', () => {
    const o = { connected: true, headers: {} };
    expect(describeAnswer({ ...o, status: 500, body: Buffer.from(fault) }, XPATH_NAMESPACES)).toBe(
      'HTTP 500: SOAP fault 3000: the client certificate (CN=x) is not listed by any end point',
    );
    expect(describeAnswer({ ...o, status: 202, body: Buffer.alloc(0) }, XPATH_NAMESPACES)).toBe(
      'HTTP 202, empty body',
    );
    expect(
      describeAnswer({ ...o, body: Buffer.alloc(0), error: 'EPROTO: alert' }, XPATH_NAMESPACES),
    ).toMatch(/TLS handshake was refused \(EPROTO: alert\)/);
    expect(
      describeAnswer(
        { connected: false, headers: {}, body: Buffer.alloc(0), error: 'ECONNREFUSED' },
        XPATH_NAMESPACES,
      ),
    ).toBe('no connection: ECONNREFUSED');
  });
});

describe('a played end point', () => {
  test('answers: 200, 202, 503 and faults; anything else is refused with what is allowed', () => {
    expect(endpointAnswerOf(202)).toEqual({ status: 202 });
    expect(endpointAnswerOf('fault 2200')).toEqual({ fault: '2200' });
    expect(endpointAnswerOf('fault 1000 200')).toEqual({ fault: '1000', status: 200 });
    expect(endpointAnswerOf('fault 4242')).toMatch(/expected 200, 202, 503 or "fault/);
    expect(endpointAnswerOf('201')).toMatch(/^answer "201"/);
  });

  test('a script is answered in order, the last answer repeating', () => {
    let script = [{ status: 503 as const }, { status: 200 as const }];
    const first = nextAnswer(script);
    script = first.rest as typeof script;
    const second = nextAnswer(script);
    const third = nextAnswer(second.rest);
    expect([first.answer, second.answer, third.answer]).toEqual([
      { status: 503 },
      { status: 200 },
      { status: 200 },
    ]);
    expect(nextAnswer([]).answer).toEqual({ status: 200 });
  });

  test("a fault answer is the router's own fault, relating to the call", () => {
    const a = answerOf({ fault: '2200' }, { service: SERVICE, messageId: 'M-1' }, 'urn:x', NOW);
    expect(a.status).toBe(500);
    expect(a.body).toContain(
      '<itk:ErrorCode codeSystem="2.16.840.1.113883.2.1.3.2.4.17.268">2200</itk:ErrorCode>',
    );
    expect(a.body).toContain('<wsa:RelatesTo>M-1</wsa:RelatesTo>');
    expect(answerOf({ status: 202 }, { service: SERVICE, messageId: 'M-1' }, 'urn:x', NOW)).toEqual(
      { status: 202, body: '', label: '202' },
    );
  });
});

test('signed durations and the gateway URL of a config', () => {
  expect(signedDurationMs('-1h', 'shift')).toBe(-3600_000);
  expect(signedDurationMs('+90s', 'shift')).toBe(90_000);
  expect(() => signedDurationMs('soon', 'shift')).toThrow(/soon/);
  const env = {
    ITK_ROUTER_SOAP_PORT: '8443',
    // the config checks only that the files exist: any file will do here
    ITK_ROUTER_TLS_CERT: 'package.json',
    ITK_ROUTER_TLS_KEY: 'package.json',
    ITK_ROUTER_TLS_CA: 'package.json',
  };
  expect(gatewayOf(loadRouterConfig(undefined, env))).toBe('https://127.0.0.1:8443/itk');
  expect(
    gatewayOf(loadRouterConfig(undefined, { ...env, ITK_ROUTER_SOAP_PORT: '0' })),
  ).toBeUndefined();
  expect(gatewayOf(loadRouterConfig(undefined, {}))).toBeUndefined();
});
