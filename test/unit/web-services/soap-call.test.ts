/** The gate of an inbound web-service call: every check with its exact refusal (docs/web-services.md). */
import { readSoapCall } from '../../../src/router/11-web-services/soap-call.js';
import { DEFAULT_LIMITS } from '../../../src/router/04-validation/safety.js';
import { fixture } from '../../support/fixture-files.js';
import {
  serviceOf,
  soapCall,
  withoutDeclaration,
  type CallParts,
} from '../../support/soap-calls.js';

const de = fixture('examples/careplan-notification.xml').toString('utf8');
const service = serviceOf(de);
const now = new Date('2026-12-08T10:00:00Z');
const options = { limits: DEFAULT_LIMITS, clockSkewMs: 5 * 60_000, now };

const read = (
  parts: Partial<CallParts> = {},
  http: { contentType?: string; soapAction?: string | undefined } = {},
) =>
  readSoapCall(
    {
      body: Buffer.from(
        soapCall({ de, created: now, expires: new Date(now.getTime() + 300_000), ...parts }),
      ),
      contentType: 'contentType' in http ? http.contentType : 'text/xml; charset=utf-8',
      soapAction: 'soapAction' in http ? http.soapAction : `"${service}"`,
    },
    options,
  );

const refusal = (r: ReturnType<typeof read>) => {
  if (r.ok) throw new Error('the gate accepted the call');
  return r.refusal;
};

describe('the web-service gate', () => {
  test('a well-formed call passes, with its headers read and the DE standalone, byte for byte', () => {
    const r = read({
      messageId: 'uuid:7D0B7B22-3C8B-4F1C-9D5E-0A4B1C2D3E4F',
      replyTo: 'https://gp.example/replies',
    });
    if (!r.ok) throw new Error(r.refusal.diagnostic);
    expect(r.call).toMatchObject({
      messageId: 'uuid:7D0B7B22-3C8B-4F1C-9D5E-0A4B1C2D3E4F',
      action: service,
      service,
      to: 'https://localhost/itk',
      from: 'https://supplier.example/itk',
      replyTo: 'https://gp.example/replies',
      username: 'supplier system',
    });
    expect(r.call.de).toBe(withoutDeclaration(de).trimEnd());
  });

  test('a DE using a prefix declared on the SOAP envelope carries that declaration, otherwise unchanged', () => {
    const bare = withoutDeclaration(de).replace(' xmlns:itk="urn:nhs-itk:ns:201005"', '');
    const body = soapCall({
      de: bare,
      created: now,
      expires: new Date(now.getTime() + 60_000),
    }).replace('<soap:Envelope ', '<soap:Envelope xmlns:itk="urn:nhs-itk:ns:201005" ');
    const r = readSoapCall(
      { body: Buffer.from(body), contentType: 'text/xml', soapAction: service },
      options,
    );
    if (!r.ok) throw new Error(r.refusal.diagnostic);
    expect(r.call.de).toBe(
      bare
        .trimEnd()
        .replace(
          '<itk:DistributionEnvelope',
          '<itk:DistributionEnvelope xmlns:itk="urn:nhs-itk:ns:201005"',
        ),
    );
  });

  test('the payloads are stepped over whole: markup-like text in a comment or CDATA inside them changes nothing', () => {
    // what would fool a scanner: an end tag of the payloads in CDATA, and a start tag in a comment
    const tricky = withoutDeclaration(de).replace(
      /(<itk:payload\b[^>]*>)/,
      '$1<!-- <itk:payloads> --><![CDATA[</itk:payloads></itk:DistributionEnvelope>]]>',
    );
    expect(tricky).not.toBe(withoutDeclaration(de));
    const r = readSoapCall(
      {
        body: Buffer.from(
          soapCall({ de: tricky, created: now, expires: new Date(now.getTime() + 60_000) }),
        ),
        contentType: 'text/xml',
        soapAction: service,
      },
      options,
    );
    if (!r.ok) throw new Error(r.refusal.diagnostic);
    expect(r.call.de).toBe(tricky.trimEnd());
    expect(r.call.service).toBe(service);
  });

  test('a Content-Type other than text/xml is refused 1000', () => {
    expect(refusal(read({}, { contentType: 'application/soap+xml' }))).toEqual({
      code: '1000',
      diagnostic: 'Content-Type must be text/xml (SOAP 1.1), got "application/soap+xml"',
    });
  });

  test('not well-formed XML is refused 1000', () => {
    const r = readSoapCall(
      {
        body: Buffer.from('<soap:Envelope xmlns:soap="x"><oops></soap:Envelope>'),
        contentType: 'text/xml',
        soapAction: service,
      },
      options,
    );
    expect(refusal(r).code).toBe('1000');
    expect(refusal(r).diagnostic).toMatch(/^not well-formed XML: /);
  });

  test('a DOCTYPE is refused before any parser sees the call (stage 1)', () => {
    const body = soapCall({ de }).replace(
      '<soap:Envelope',
      '<!DOCTYPE x [<!ENTITY e "e">]><soap:Envelope',
    );
    const r = readSoapCall(
      { body: Buffer.from(body), contentType: 'text/xml', soapAction: service },
      options,
    );
    expect(refusal(r).code).toBe('1000');
    expect(refusal(r).diagnostic).toMatch(/^SAFE-DOCTYPE: /);
  });

  test('a call over the size limit is refused 1000', () => {
    const r = readSoapCall(
      { body: Buffer.from(soapCall({ de })), contentType: 'text/xml', soapAction: service },
      { ...options, limits: { ...DEFAULT_LIMITS, maxMessageBytes: 1000 } },
    );
    expect(refusal(r).code).toBe('1000');
    expect(refusal(r).diagnostic).toMatch(
      /^SAFE-SIZE: the message is \d+ bytes, over the limit of 1000 bytes$/,
    );
  });

  test('a SOAP 1.2 envelope (or any other root) is refused 1000', () => {
    const body = soapCall({ de }).replace(
      'http://schemas.xmlsoap.org/soap/envelope/',
      'http://www.w3.org/2003/05/soap-envelope',
    );
    const r = readSoapCall(
      { body: Buffer.from(body), contentType: 'text/xml', soapAction: service },
      options,
    );
    expect(refusal(r).diagnostic).toBe(
      'not a SOAP 1.1 message: the root element is {http://www.w3.org/2003/05/soap-envelope}Envelope, not {http://schemas.xmlsoap.org/soap/envelope/}Envelope',
    );
  });

  test.each([
    ['two DEs', withoutDeclaration(de), 'found 2'],
    ['a DE and another element', '<other/>', 'found 1 and 1 other element'],
  ])('%s in the body: refused 1000', (_, extra, found) => {
    const r = refusal(read({ bodyExtra: extra }));
    expect(r.code).toBe('1000');
    expect(r.diagnostic).toBe(
      `the SOAP body must hold exactly one itk:DistributionEnvelope and nothing else; ${found}`,
    );
  });

  test('no DE in the body: refused 1000', () => {
    const r = refusal(read({ de: '<nothing/>' }, { soapAction: '' }));
    expect(r.diagnostic).toBe(
      'the SOAP body must hold exactly one itk:DistributionEnvelope and nothing else; found 0 and 1 other element',
    );
  });

  test.each([
    ['messageId', 'wsa:MessageID'],
    ['to', 'wsa:To'],
    ['created', 'wsse:Security/wsu:Timestamp/wsu:Created'],
    ['expires', 'wsse:Security/wsu:Timestamp/wsu:Expires'],
    ['username', 'wsse:Security/wsse:UsernameToken/wsse:Username'],
  ] as const)('a call without %s is refused 1000 naming %s', (part, name) => {
    const r = refusal(read({ [part]: null }));
    expect(r.code).toBe('1000');
    expect(r.diagnostic).toBe(`missing from the SOAP header: ${name}`);
  });

  test('a call without wsa:Action is refused 1000', () => {
    expect(refusal(read({ action: null })).diagnostic).toBe(
      'missing from the SOAP header: wsa:Action',
    );
  });

  test('a MessageID that is not a UUID is refused 1000', () => {
    expect(refusal(read({ messageId: 'message-1' })).diagnostic).toBe(
      'wsa:MessageID must be a UUID (an optional prefix such as uuid: allowed), got "message-1"',
    );
  });

  test('SOAPAction, wsa:Action and the service must agree (quotes around SOAPAction allowed)', () => {
    const mid = '7D0B7B22-3C8B-4F1C-9D5E-0A4B1C2D3E4F';
    const other = 'urn:nhs-itk:services:201005:SendDocument-v1-0';
    expect(refusal(read({ messageId: mid }, { soapAction: other }))).toEqual({
      code: '1000',
      messageId: mid,
      diagnostic: `SOAPAction, wsa:Action and the DE's service must be equal: SOAPAction "${other}", wsa:Action "${service}", itk:header/@service "${service}"`,
    });
    expect(refusal(read({ action: other })).diagnostic).toContain(`wsa:Action "${other}"`);
    expect(refusal(read({}, { soapAction: undefined })).diagnostic).toContain('SOAPAction null');
    expect(read({}, { soapAction: service }).ok).toBe(true);
  });

  test('an expired timestamp, or one created in the future beyond the clock skew: "message expired"', () => {
    const expired = refusal(
      read({ created: '2026-12-08T09:00:00Z', expires: '2026-12-08T09:54:59Z' }),
    );
    expect(expired.code).toBe('1000');
    expect(expired.diagnostic).toBe(
      'message expired: wsu:Expires 2026-12-08T09:54:59Z is past (now 2026-12-08T10:00:00.000Z, clock skew 300 s)',
    );
    const future = refusal(
      read({ created: '2026-12-08T10:05:01Z', expires: '2026-12-08T10:10:00Z' }),
    );
    expect(future.diagnostic).toBe(
      'message expired: wsu:Created 2026-12-08T10:05:01Z is in the future (now 2026-12-08T10:00:00.000Z, clock skew 300 s)',
    );
    // within the skew either way: accepted
    expect(read({ created: '2026-12-08T10:04:59Z', expires: '2026-12-08T09:55:01Z' }).ok).toBe(
      true,
    );
  });

  test('a timestamp that is not an xs:dateTime with a zone is refused 1000', () => {
    expect(refusal(read({ created: 'yesterday' })).diagnostic).toBe(
      'wsu:Created must be an xs:dateTime with a time zone, got "yesterday"',
    );
  });
});
