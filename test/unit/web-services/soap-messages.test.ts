/**
 * What the router writes on web services, held to the rules TKW checks (TKW-x
 * contrib/Common/include/cmdfaultresponses.conf and cmdsoapResponseMessage.conf), read back with
 * the light tree; and the outbound request carrying the DE bytes as received.
 */
import {
  childNamed,
  parseLite,
  type LiteElement,
} from '../../../src/router/03-envelope/lite-xml.js';
import {
  embeddableDe,
  simpleMessageResponse,
  soapFault,
  soapRequest,
} from '../../../src/router/11-web-services/soap-messages.js';
import { callOutcome } from '../../../src/router/11-web-services/delivery-outcome.js';
import { readSoapCall } from '../../../src/router/11-web-services/soap-call.js';
import { DEFAULT_LIMITS } from '../../../src/router/04-validation/safety.js';
import { fixture } from '../../support/fixture-files.js';
import { NS, serviceOf, withoutDeclaration } from '../../support/soap-calls.js';

const UPPER_UUID = /^[A-F0-9]{8}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{12}$/;
const path = (el: LiteElement | undefined, ...steps: [string, string][]) =>
  steps.reduce<LiteElement | undefined>((at, [ns, name]) => childNamed(at, name, ns), el);
const detailOf = (fault: LiteElement | undefined) =>
  fault?.children.find((c) => c.name === 'detail');
const now = new Date('2026-12-08T10:00:00Z');

describe('SOAP messages the router writes', () => {
  test.each([
    ['1000', 'Client', 'Invalid message'],
    ['3000', 'Client', 'Access denied'],
    ['2100', 'Server', 'Processing error, retryable'],
    ['2200', 'Server', 'Processing error, not retryable'],
  ] as const)("a %s fault follows TKW's fault rules (faultcode %s)", (code, faultcode, text) => {
    const root = parseLite(
      soapFault({
        code,
        diagnostic: 'what & why <exactly>',
        relatesTo: '7D0B7B22-3C8B-4F1C-9D5E-0A4B1C2D3E4F',
      }),
    );
    const header = childNamed(root, 'Header', NS.soap);
    expect(childNamed(header, 'MessageID', NS.wsa)?.text).toMatch(UPPER_UUID);
    expect(childNamed(header, 'Action', NS.wsa)?.text).toBe(
      'http://www.w3.org/2005/08/addressing/soap/fault',
    );
    expect(childNamed(header, 'RelatesTo', NS.wsa)?.text).toMatch(UPPER_UUID);
    const fault = path(root, [NS.soap, 'Body'], [NS.soap, 'Fault']);
    expect(fault?.children.find((c) => c.name === 'faultcode')?.text).toBe(`soap:${faultcode}`);
    expect(fault?.children.find((c) => c.name === 'faultstring')?.text).toMatch(/.+/);
    const info = childNamed(detailOf(fault), 'ToolkitErrorInfo', NS.itk);
    expect(childNamed(info, 'ErrorID', NS.itk)?.text).toMatch(UPPER_UUID);
    const errorCode = childNamed(info, 'ErrorCode', NS.itk);
    expect(errorCode?.text).toBe(code);
    expect(errorCode?.attrs.get('codeSystem')).toBe('2.16.840.1.113883.2.1.3.2.4.17.268');
    expect(childNamed(info, 'ErrorText', NS.itk)?.text).toBe(text);
    expect(childNamed(info, 'ErrorDiagnosticText', NS.itk)?.text).toBe('what & why <exactly>');
  });

  test('the 200 answer: SimpleMessageResponse OK, Action = service + Response, RelatesTo, Security with Timestamp and Username', () => {
    const root = parseLite(
      simpleMessageResponse({
        service: 'urn:x:Svc',
        relatesTo: 'ABC',
        username: 'urn:nhs-uk:identity:ods:ITKROUTER',
        now,
      }),
    );
    const header = childNamed(root, 'Header', NS.soap);
    expect(childNamed(header, 'Action', NS.wsa)?.text).toBe('urn:x:SvcResponse');
    expect(childNamed(header, 'RelatesTo', NS.wsa)?.text).toBe('ABC');
    expect(childNamed(header, 'To', NS.wsa)).toBeUndefined();
    const security = childNamed(header, 'Security', NS.wsse);
    expect(path(security, [NS.wsu, 'Timestamp'], [NS.wsu, 'Created'])?.text).toBe(
      '2026-12-08T10:00:00Z',
    );
    expect(path(security, [NS.wsu, 'Timestamp'], [NS.wsu, 'Expires'])?.text).toBe(
      '2026-12-08T10:05:00Z',
    );
    expect(path(security, [NS.wsse, 'UsernameToken'], [NS.wsse, 'Username'])?.text).toBe(
      'urn:nhs-uk:identity:ods:ITKROUTER',
    );
    expect(path(root, [NS.soap, 'Body'], [NS.itk, 'SimpleMessageResponse'])?.text).toBe('OK');
    expect(
      callOutcome(
        200,
        Buffer.from(simpleMessageResponse({ service: 's', relatesTo: 'r', username: 'u', now })),
      ),
    ).toEqual({
      kind: 'delivered',
      status: 200,
    });
  });

  test("an outbound request passes the router's own gate, and carries the DE bytes as received", () => {
    const bytes = fixture('examples/careplan-notification.xml');
    const service = serviceOf(bytes.toString('utf8'));
    const request = soapRequest({
      de: bytes,
      service,
      url: 'https://gp.example/itk',
      from: 'urn:nhs-uk:addressing:ods:ITKROUTER',
      username: 'urn:nhs-uk:identity:ods:ITKROUTER',
      now,
      messageId: '7D0B7B22-3C8B-4F1C-9D5E-0A4B1C2D3E4F',
    });
    expect(request.includes(embeddableDe(bytes))).toBe(true);
    const r = readSoapCall(
      { body: request, contentType: 'text/xml; charset=utf-8', soapAction: `"${service}"` },
      { limits: DEFAULT_LIMITS, clockSkewMs: 0, now },
    );
    if (!r.ok) throw new Error(r.refusal.diagnostic);
    expect(r.call).toMatchObject({
      to: 'https://gp.example/itk',
      from: 'urn:nhs-uk:addressing:ods:ITKROUTER',
    });
    expect(r.call.de).toBe(withoutDeclaration(bytes.toString('utf8')).trimEnd());
  });

  test('embeddableDe drops a byte-order mark and the XML declaration, nothing else', () => {
    const de = Buffer.from('\uFEFF<?xml version="1.0"?>\n<a>x</a>\n', 'utf8');
    expect(embeddableDe(de).toString('utf8')).toBe('<a>x</a>\n');
    expect(embeddableDe(Buffer.from('<a/>')).toString()).toBe('<a/>');
  });
});

describe("what an end point's answer means", () => {
  const fault = (code: string) =>
    Buffer.from(soapFault({ code: code as '1000', diagnostic: 'bad payload' }));
  test('200 with no fault, and 202 with any body: delivered', () => {
    expect(callOutcome(202, Buffer.alloc(0))).toEqual({ kind: 'delivered', status: 202 });
    expect(callOutcome(200, Buffer.from('<x/>'))).toEqual({ kind: 'delivered', status: 200 });
  });
  test('an ITK fault, whatever the status: refused, with its code, text and diagnostic', () => {
    expect(callOutcome(500, fault('1000'))).toEqual({
      kind: 'refused',
      status: 500,
      code: '1000',
      text: 'Invalid message',
      diagnostic: 'bad payload',
    });
    expect(callOutcome(200, fault('3000'))).toMatchObject({ kind: 'refused', code: '3000' });
  });
  test('503 (even with a fault), other statuses, and faults without ToolkitErrorInfo: transient', () => {
    expect(callOutcome(503, fault('2100'))).toEqual({
      kind: 'transient',
      status: 503,
      reason: 'HTTP 503 (busy)',
    });
    expect(callOutcome(502, Buffer.from('bad gateway'))).toEqual({
      kind: 'transient',
      status: 502,
      reason: 'HTTP 502 with no ITK fault',
    });
    const bare = `<s:Envelope xmlns:s="${NS.soap}"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring></s:Fault></s:Body></s:Envelope>`;
    expect(callOutcome(500, Buffer.from(bare))).toEqual({
      kind: 'transient',
      status: 500,
      reason: 'HTTP 500 with a SOAP fault without itk:ToolkitErrorInfo',
    });
    expect(callOutcome(404, Buffer.alloc(0)).kind).toBe('transient');
  });
});
