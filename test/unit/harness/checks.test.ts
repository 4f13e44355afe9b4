/** Checks say what they want and what they found (src/tools/harness/checks.ts, ack-checks.ts). */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  busAckChecks,
  infAckChecks,
  nackErrorChecks,
  routerInfAckChecks,
} from '../../../src/tools/harness/ack-checks.js';
import { evaluate, matchChecks } from '../../../src/tools/harness/checks.js';
import type { Arrived } from '../../../src/tools/harness/mailroom.js';
import { XPATH_NAMESPACES } from '../../../src/tools/harness/model.js';
import { TemplateScope } from '../../../src/tools/harness/template.js';

const fixture = (name: string) =>
  fs.readFileSync(fileURLToPath(new URL(`../../fixtures/valid/${name}`, import.meta.url)));

const arrived = (body: Buffer, headers: Record<string, string> = {}): Arrived => ({
  seq: 1,
  at: Date.now(),
  where: 'riverside-gp',
  queue: 'itk.endpoint.riverside-gp',
  body,
  properties: { messageId: 'M-1', deliveryMode: 2 },
  headers,
});

const ns = XPATH_NAMESPACES;
const ctx = (values: Record<string, unknown> = {}) => ({
  scope: new TemplateScope(values),
  namespaces: ns,
  endpointOf: (role: string) => (role === 'community' ? 'riverside-community' : role),
});

/** An end point's nack in the Toolkit vocabulary (ITK 2.1 style): what TKW's ITK 2.2 rules refuse. */
const TOOLKIT_NACK = arrived(fixture('inf-ack-failure.xml'), {
  'itk-sender': 'riverside-community',
});
/** The same nack in the DE vocabulary of docs/contract.md [C-ACK-3]. */
const NACK = arrived(
  Buffer.from(
    TOOLKIT_NACK.body
      .toString('utf8')
      .replace(
        '<itk:ErrorCode codeSystem="2.16.840.1.113883.2.1.3.2.4.17.268">2100</itk:ErrorCode>',
        '<itk:ErrorCode codeSystem="2.16.840.1.113883.2.1.3.2.4.17.516">DE0001</itk:ErrorCode>',
      )
      .replace(
        '<itk:ErrorText>Processing error, retryable</itk:ErrorText>',
        '<itk:ErrorText>Distribution Envelope Processing Error</itk:ErrorText>',
      )
      .replace(
        '<itk:ErrorDiagnosticText>The document',
        '<itk:ErrorDiagnosticText>2100 The document',
      ),
  ),
  TOOLKIT_NACK.headers,
);
const ORIGINAL = {
  trackingId: '3487DD91-2D2D-44DB-BBA5-D6FE1709A440',
  service: 'urn:nhs-itk:services:201005:SendCDADocument-v2-0',
};

test('a nack meets the inf ack and error checks, each saying what it found', () => {
  const results = evaluate(
    [
      ...infAckChecks({ result: 'Failure' }, ORIGINAL, ns),
      ...nackErrorChecks('2100', /store is unavailable/, ns),
    ],
    NACK,
  );
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.map((r) => r.what)).toEqual([
    'is an infrastructure acknowledgement (service SendInfrastructureAck-v1-0)',
    'result = "Failure"',
    'trackingIdRef = "3487DD91-2D2D-44DB-BBA5-D6FE1709A440"',
    'serviceRef = "urn:nhs-itk:services:201005:SendCDADocument-v2-0"',
    'an errorInfo whose ErrorDiagnosticText opens with Toolkit code 2100',
    'its ErrorCode one of DE0001–DE0012 in code system 2.16.840.1.113883.2.1.3.2.4.17.516',
    'its ErrorText TKW’s text for that DE code',
    'its ErrorDiagnosticText gives the reason',
    'its ErrorDiagnosticText matches /store is unavailable/',
  ]);
});

test('nack conditions are as loose as the contract: any DE code for a Toolkit code, any wording', () => {
  const ok = (body: Buffer, code: string, diagnostic?: RegExp) =>
    evaluate(nackErrorChecks(code, diagnostic, ns), arrived(body))
      .filter((r) => !r.ok)
      .map((r) => r.what);
  const withCode = (de: string, text: string, diag: string) =>
    Buffer.from(
      NACK.body
        .toString('utf8')
        .replace('>DE0001<', `>${de}<`)
        .replace('Distribution Envelope Processing Error', text)
        .replace(/<itk:ErrorDiagnosticText>[^<]*/, `<itk:ErrorDiagnosticText>${diag}`),
    );
  // another DE code, another reason, another spacing: still a 2100 nack
  expect(
    ok(
      withCode(
        'DE0012',
        'Distribution Envelope Payload Processing Error',
        ' 2100: store down, try later',
      ),
      '2100',
    ),
  ).toEqual([]);
  // a DE code is matched as the ErrorCode itself
  expect(
    ok(
      withCode('DE0003', 'Distribution Envelope Address List Processing Error', 'nowhere'),
      'DE0003',
    ),
  ).toEqual([]);
  // variants that break the contract, each named
  expect(ok(TOOLKIT_NACK.body, '2100')).toEqual([
    'an errorInfo whose ErrorDiagnosticText opens with Toolkit code 2100',
    'its ErrorCode one of DE0001–DE0012 in code system 2.16.840.1.113883.2.1.3.2.4.17.516',
    'its ErrorText TKW’s text for that DE code',
    'its ErrorDiagnosticText gives the reason',
  ]);
  expect(
    ok(
      withCode('DE0003', 'Distribution Envelope Address List Processing Error: oops', 'x'),
      'DE0003',
    ),
  ).toEqual([
    'its ErrorText TKW’s text for that DE code',
    'its ErrorDiagnosticText gives the reason', // each check holds only with those before it
  ]);
  expect(ok(withCode('DE0001', 'Distribution Envelope Processing Error', '2100'), '2100')).toEqual([
    'its ErrorDiagnosticText gives the reason',
  ]);
  expect(
    ok(withCode('DE0001', 'Distribution Envelope Processing Error', '21000 overflow'), '2100'),
  ).toEqual([
    'an errorInfo whose ErrorDiagnosticText opens with Toolkit code 2100',
    'its ErrorCode one of DE0001–DE0012 in code system 2.16.840.1.113883.2.1.3.2.4.17.516',
    'its ErrorText TKW’s text for that DE code',
    'its ErrorDiagnosticText gives the reason',
  ]);
  expect(
    ok(withCode('DE0001', 'Distribution Envelope Processing Error', 'a reason, then 2100'), '2100'),
  ).toHaveLength(4);
});

test('the router’s own inf acks: the interaction spec; a positive one without errors', () => {
  const failing = evaluate(routerInfAckChecks('Failure', ns), NACK);
  expect(failing.map((r) => [r.what, r.ok])).toEqual([
    [
      'carries the interaction urn:nhs-itk:interaction:ITKInfrastructureAcknowledgement-v1-0',
      false,
    ],
  ]);
  const ok = evaluate(
    routerInfAckChecks('OK', ns),
    arrived(fixture('inf-ack-ok-without-errors.xml')),
  );
  expect(ok.find((r) => r.what === 'an empty or absent errors')?.ok).toBe(true);
  const withErrors = evaluate(routerInfAckChecks('OK', ns), NACK);
  expect(withErrors.find((r) => r.what === 'an empty or absent errors')).toMatchObject({
    ok: false,
    actual: '1 error(s)',
  });
});

test('a nack of an unreadable message may name the nil UUID, and no serviceRef is asked', () => {
  const nil = Buffer.from(
    NACK.body
      .toString('utf8')
      .replace(/trackingIdRef="[^"]*"/, 'trackingIdRef="00000000-0000-0000-0000-000000000000"'),
  );
  const strict = evaluate(infAckChecks({ result: 'Failure' }, ORIGINAL, ns), arrived(nil));
  expect(strict.filter((r) => !r.ok).map((r) => r.what)).toEqual([
    'trackingIdRef = "3487DD91-2D2D-44DB-BBA5-D6FE1709A440"',
  ]);
  const loose = evaluate(infAckChecks({ result: 'Failure' }, ORIGINAL, ns, true), arrived(nil));
  expect(loose.filter((r) => !r.ok)).toEqual([]);
  expect(loose.map((r) => r.what)).not.toContain(`serviceRef = "${ORIGINAL.service}"`);
  const other = Buffer.from(
    nil.toString('utf8').replace('00000000-0000-0000-0000-000000000000', 'SOMETHING-ELSE'),
  );
  expect(
    evaluate(infAckChecks({ result: 'Failure' }, ORIGINAL, ns, true), arrived(other)).some(
      (r) => !r.ok,
    ),
  ).toBe(true);
});

test('broken conditions show the value found', () => {
  const results = evaluate(
    [
      ...infAckChecks({ result: 'OK' }, { trackingId: 'X' }, ns),
      ...nackErrorChecks('DE0003', /nowhere/, ns),
      ...busAckChecks({ typeCode: 'AA' }, undefined, ns),
    ],
    NACK,
  );
  const broken = Object.fromEntries(results.filter((r) => !r.ok).map((r) => [r.what, r.actual]));
  expect(broken).toMatchObject({
    'result = "OK"': '"Failure"',
    'trackingIdRef = "X"': '"3487DD91-2D2D-44DB-BBA5-D6FE1709A440"',
    'an errorInfo with ErrorCode DE0003': expect.stringContaining(
      'DE0001 [2.16.840.1.113883.2.1.3.2.4.17.516]',
    ),
    'is a business acknowledgement (service SendBusinessAck-v1-0)':
      '"urn:nhs-itk:services:201005:SendInfrastructureAck-v1-0"',
    'acknowledgedBy3/@typeCode is AA': '""',
  });
});

test('a business ack: type code and the original it names', () => {
  const busAck = arrived(fixture('business-ack-aa.xml'));
  const results = evaluate(
    busAckChecks(
      { typeCode: ['AA', 'AE'] },
      { trackingId: '3D4E5F60-7182-4A3B-8C4D-5E6F708192A3' },
      ns,
    ),
    busAck,
  );
  expect(results.every((r) => r.ok)).toBe(true);
});

test('from: router / locator is the DE senderAddress; a role is the itk-sender header', () => {
  const scope = ctx({
    router: { address: 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY' },
    locator: 'urn:nhs-uk:addressing:ods:ITKROUTER:LOCATOR',
  });
  const fromRouter = evaluate(matchChecks({ from: 'router' }, scope), arrived(NACK.body));
  expect(fromRouter).toEqual([
    {
      what: 'sent by the router (DE senderAddress) = "urn:nhs-uk:addressing:ods:RDE01:COMMUNITY"',
      ok: true,
      actual: '"urn:nhs-uk:addressing:ods:RDE01:COMMUNITY"',
    },
  ]); // no itk-sender header asked of the router's own message
  const fromLocator = evaluate(matchChecks({ from: 'locator' }, scope), NACK);
  expect(fromLocator[0]).toMatchObject({ ok: false });
  const fromRole = evaluate(matchChecks({ from: 'community' }, scope), arrived(NACK.body));
  expect(fromRole[0]).toMatchObject({
    what: 'sent by riverside-community (header itk-sender)',
    ok: false,
  });
});

test('match checks: sender, properties, headers, service, XPath forms, body bytes', () => {
  const m = matchChecks(
    {
      from: 'community',
      properties: { messageId: '{{captured.id}}', deliveryMode: 2 },
      headers: { 'itk-sender': 'riverside-community' },
      service: 'urn:nhs-itk:services:201005:SendInfrastructureAck-v1-0',
      xpath: [
        "//itk:InfrastructureResponse/@result = 'Failure'",
        { path: '//itk:errorInfo', count: 1 },
        { path: '//itk:ErrorDiagnosticText', matches: 'unavailable' },
        { path: '//itk:header/@trackingid', notEquals: 'SOMETHING-ELSE' },
        { path: '//itk:auditIdentity/itk:id/@uri' },
      ],
      bodyEquals: NACK.body.toString('utf8'),
    },
    ctx({ captured: { id: 'M-1' } }),
  );
  const results = evaluate(m, NACK);
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results).toHaveLength(11);

  const wrong = evaluate(
    matchChecks({ bodyEquals: 'short', xpath: [{ path: '//itk:nothing' }] }, ctx()),
    NACK,
  );
  expect(wrong.map((r) => [r.ok, r.actual])).toEqual([
    [false, `${NACK.body.length} bytes, first difference at byte 0`],
    [false, '(absent)'],
  ]);
});

test('a body that is not XML fails XPath checks with the reason, without throwing', () => {
  const [result] = evaluate(
    matchChecks({ xpath: ['//a'] }, ctx()),
    arrived(Buffer.from('<a><b></a>')),
  );
  expect(result).toMatchObject({
    ok: false,
    actual: expect.stringMatching(/^not well-formed XML: line 1/),
  });
  const [hostile] = evaluate(
    matchChecks({ xpath: ['//a'] }, ctx()),
    arrived(Buffer.from('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')),
  );
  expect(hostile).toMatchObject({ ok: false, actual: 'not parsed (unsafe: SAFE-DOCTYPE)' });
});
