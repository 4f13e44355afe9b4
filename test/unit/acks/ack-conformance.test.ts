/**
 * Every kind of ack the project builds passes the official ITK schemas and TKW's ack rules
 * (test/support/conformance.ts), and a nack says each refusal in the DE vocabulary with the
 * Toolkit code first in its diagnostic text (src/router/07-delivery/nack-codes.ts).
 */
import { buildBusinessAck } from '../../../src/router/07-delivery/business-ack.js';
import { buildInfAck } from '../../../src/router/07-delivery/infrastructure-ack.js';
import { DE_CODE_BY_OUTCOME, nackErrorInfo } from '../../../src/router/07-delivery/nack-codes.js';
import {
  buildNack,
  buildRouterInfAck,
  errorsFromFindings,
} from '../../../src/router/07-delivery/router-acks.js';
import { parseEnvelope } from '../../../src/router/04-validation/parse-envelope.js';
import { finding } from '../../../src/router/04-validation/findings.js';
import { ITK_ERRORS, type ItkErrorKey } from '../../../src/router/00-common/itk-errors.js';
import { conformanceProblems } from '../../support/conformance.js';

const router = {
  address: 'urn:nhs-uk:addressing:ods:ITKROUTER',
  identity: 'urn:nhs-uk:identity:ods:ITKROUTER',
};
const at = new Date('2026-12-07T10:00:00Z');
const original = parseEnvelope(
  `<itk:DistributionEnvelope xmlns:itk="urn:nhs-itk:ns:201005"><itk:header service="urn:nhs-itk:services:201005:SendCDADocument-v2-0" trackingid="7D0B7B22-3C8B-4F1C-9D5E-0A4B1C2D3E4F"><itk:auditIdentity><itk:id uri="urn:nhs-uk:identity:ods:A83001"/></itk:auditIdentity><itk:manifest count="1"><itk:manifestitem id="uuid_11111111-2222-3333-4444-555555555555" mimetype="text/xml"/></itk:manifest><itk:senderAddress uri="urn:nhs-uk:addressing:ods:A83001"/></itk:header><itk:payloads count="1"><itk:payload id="uuid_11111111-2222-3333-4444-555555555555"><x/></itk:payload></itk:payloads></itk:DistributionEnvelope>`,
);
const bytes = (xml: string) => Buffer.from(xml, 'utf8');
const errorInfo = (xml: string) => ({
  code: /<itk:ErrorCode codeSystem="([^"]*)">([^<]*)</.exec(xml)?.slice(1),
  text: /<itk:ErrorText>([^<]*)</.exec(xml)?.[1],
  diagnostic: /<itk:ErrorDiagnosticText>([^<]*)</.exec(xml)?.[1],
});

describe('nacks in the DE vocabulary', () => {
  const codes = Object.keys(ITK_ERRORS) as ItkErrorKey[];
  it.each(codes)('a nack with %s passes the official schema and TKW', (code) => {
    const nack = buildNack({ original, errors: [{ code, diagnostic: 'why' }], router, at });
    expect(conformanceProblems(bytes(nack.xml))).toEqual([]);
    const info = errorInfo(nack.xml);
    expect(info.code?.[0]).toBe('2.16.840.1.113883.2.1.3.2.4.17.516');
    expect(info.code?.[1]).toMatch(/^DE00(0[1-9]|1[0-2])$/);
    expect(info.diagnostic).toBe(code.startsWith('DE') ? 'why' : `${code} why`);
  });

  it.each(Object.entries(DE_CODE_BY_OUTCOME))(
    'a Toolkit-coded refusal of outcome %s is nacked %s',
    (outcome, de) => {
      const nack = buildNack({
        original,
        outcome,
        errors: [{ code: '2200', diagnostic: 'version conflict: the current version is 3' }],
        router,
        at,
      });
      expect(conformanceProblems(bytes(nack.xml))).toEqual([]);
      expect(errorInfo(nack.xml)).toEqual({
        code: ['2.16.840.1.113883.2.1.3.2.4.17.516', de],
        text: ITK_ERRORS[de].text,
        diagnostic: '2200 version conflict: the current version is 3',
      });
    },
  );

  it('TKW texts: DE0001 is "Distribution Envelope Processing Error"', () => {
    expect(nackErrorInfo({ code: '2100' })).toEqual({
      code: 'DE0001',
      codeSystem: '2.16.840.1.113883.2.1.3.2.4.17.516',
      text: 'Distribution Envelope Processing Error',
      diagnostic: '2100 Processing error, retryable',
    });
  });

  it.each([
    ['SAFE-SIZE', undefined, 'DE0001'],
    ['XML-WELLFORMED', undefined, 'DE0001'],
    ['XML-WELLFORMED', 'payload uuid_1', 'DE0012'],
    ['PAYLOAD-SCHEMA', undefined, 'DE0012'],
    ['CP-NHS-NUMBER', undefined, 'DE0012'],
    ['ACK-INF-ERRORS', undefined, 'DE0012'],
  ])('finding %s (part %s) with code 1000 is nacked %s', (rule, part, de) => {
    const errors = errorsFromFindings([
      finding('1000', rule, 'the detail', { line: 3, ...(part ? { part } : {}) }),
    ]);
    const nack = buildNack({ original, errors, router, at });
    expect(errorInfo(nack.xml).code?.[1]).toBe(de);
    expect(errorInfo(nack.xml).diagnostic).toBe(`1000 ${rule}: the detail (line 3)`);
  });

  it('a lower-case tracking id is referenced in upper case; an unreadable one by the nil UUID', () => {
    const lower = { ...original, trackingId: original.trackingId.toLowerCase() };
    const nack = buildNack({ original: lower, errors: [{ code: '1000' }], router, at });
    expect(nack.xml).toContain(`trackingIdRef="${original.trackingId}"`);
    expect(conformanceProblems(bytes(nack.xml))).toEqual([]);
    const none = buildNack({ errors: [{ code: '1000' }], router, at, fallbackTo: router.address });
    expect(none.xml).toContain('trackingIdRef="00000000-0000-0000-0000-000000000000"');
    expect(conformanceProblems(bytes(none.xml))).toEqual([]);
  });
});

describe('positive acks and business acks', () => {
  it('a router inf ack has an empty errors and the inf ack interaction', () => {
    const ack = buildRouterInfAck(original, router, at);
    expect(ack.xml).toMatch(/<itk:errors\/>/);
    expect(ack.xml).toContain('urn:nhs-itk:interaction:ITKInfrastructureAcknowledgement-v1-0');
    expect(conformanceProblems(bytes(ack.xml))).toEqual([]);
  });

  it('an end point inf ack built by the tools passes', () => {
    const ack = buildInfAck({
      original: { trackingId: original.trackingId, service: original.service },
      to: { uri: router.address },
      from: {
        address: 'urn:nhs-uk:addressing:ods:A83001',
        identity: 'urn:nhs-uk:identity:ods:A83001',
      },
      result: 'OK',
      at,
    });
    expect(conformanceProblems(bytes(ack.xml))).toEqual([]);
  });

  it.each(['AA', 'AE', 'AR'] as const)(
    'a %s business ack passes MCCI_MT020000GB02 and TKW',
    (typeCode) => {
      const ack = buildBusinessAck({
        original: {
          trackingId: original.trackingId,
          payloadId: 'uuid_11111111-2222-3333-4444-555555555555',
        },
        typeCode,
        to: { uri: 'urn:nhs-uk:addressing:ods:A83001' },
        from: {
          address: 'urn:nhs-uk:addressing:ods:RX1:CARETEAM7',
          identity: 'urn:nhs-uk:identity:ods:RX1:CARETEAM7',
        },
        ...(typeCode === 'AA' ? {} : { text: 'the plan is closed' }),
        at,
      });
      expect(conformanceProblems(bytes(ack.xml))).toEqual([]);
      expect(ack.xml).toContain('urn:nhs-en:profile:ITKBusinessAcknowledgement-v2-0');
    },
  );

  it('the checker is not a rubber stamp: a Toolkit-coded errorInfo and a missing errors fail', () => {
    const nack = buildNack({ original, errors: [{ code: 'DE0003' }], router, at });
    const old = nack.xml
      .replace('>DE0003<', '>1000<')
      .replace('2.16.840.1.113883.2.1.3.2.4.17.516', '2.16.840.1.113883.2.1.3.2.4.17.268');
    expect(conformanceProblems(bytes(old)).join('\n')).toMatch(/ACK line 42[\s\S]*ACK line 147/);
    const ok = buildRouterInfAck(original, router, at).xml.replace(/<itk:errors\/>/, '');
    expect(conformanceProblems(bytes(ok)).join('\n')).toMatch(/official InfrastructureResponse/);
  });
});
