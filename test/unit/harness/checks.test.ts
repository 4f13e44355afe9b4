/** Checks say what they want and what they found (src/harness/checks.ts, ack-checks.ts). */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { busAckChecks, infAckChecks, nackErrorChecks } from '../../../src/harness/ack-checks.js';
import { evaluate, matchChecks } from '../../../src/harness/checks.js';
import type { Arrived } from '../../../src/harness/mailroom.js';
import { XPATH_NAMESPACES } from '../../../src/harness/model.js';
import { TemplateScope } from '../../../src/harness/template.js';

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

const NACK = arrived(fixture('inf-ack-failure.xml'), { 'itk-sender': 'riverside-community' });
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
    'an errorInfo with ErrorCode 2100',
    'its codeSystem = "2.16.840.1.113883.2.1.3.2.4.17.268"',
    'its ErrorText = "Processing error, retryable"',
    'its ErrorDiagnosticText matches /store is unavailable/',
  ]);
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
    'an errorInfo with ErrorCode DE0003': '"2100"',
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
