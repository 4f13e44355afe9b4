import { buildEnvelope } from '../../../src/router/03-envelope/build-envelope.js';
import {
  parseEnvelope,
  EnvelopeParseError,
} from '../../../src/router/04-validation/parse-envelope.js';
import type { Envelope } from '../../../src/router/03-envelope/envelope.js';
import { fixture, fixtureNames } from '../../support/fixture-files.js';

const roundTrip = (e: Envelope) => parseEnvelope(buildEnvelope(e));

describe('envelope model: parse(build(x)) == x', () => {
  const files = [...fixtureNames('examples'), ...fixtureNames('valid')];

  test.each(files)('%s', (file) => {
    const parsed = parseEnvelope(fixture(file));
    expect(parsed.trackingId).toMatch(/^[0-9A-Fa-f-]{36}$/);
    expect(roundTrip(parsed)).toEqual(parsed);
  });

  test('the notification example reads into the typed model', () => {
    const e = parseEnvelope(fixture('examples/careplan-notification.xml'));
    expect(e).toMatchObject({
      service: 'urn:itk-router:services:CarePlanNotification-v1-0',
      trackingId: '4C2A3B1E-9F7D-4E2A-8C1B-2D3E4F5A6B7C',
      addresses: [{ uri: 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY' }],
      auditIdentity: [{ uri: 'urn:nhs-uk:identity:ods:A83001' }],
      senderAddress: { uri: 'urn:nhs-uk:addressing:ods:A83001' },
      manifest: [
        {
          id: 'uuid_1B2C3D4E-5F60-4718-9A0B-C1D2E3F40516',
          mimeType: 'text/xml',
          profileId: 'urn:itk-router:profile:CarePlanNotification-v1-0',
          base64: false,
          compressed: false,
          encrypted: false,
        },
      ],
      handlingSpecs: [
        { key: 'urn:nhs-itk:ns:201005:infackrequested', value: 'true' },
        { key: 'urn:nhs-itk:ns:201005:ackrequested', value: 'false' },
        {
          key: 'urn:nhs-itk:ns:201005:interaction',
          value: 'urn:itk-router:interaction:CarePlanNotification-v1-0',
        },
      ],
    });
    const payload = e.payloads[0]!;
    expect(payload).toMatchObject({
      encoding: 'xml',
      rootName: 'CarePlanNotification',
      rootNamespace: 'urn:itk-router:careplan:v1',
    });
    expect(payload.content).toMatch(/^<CarePlanNotification xmlns="urn:itk-router:careplan:v1">/);
    expect(Object.isFrozen(e) && Object.isFrozen(e.addresses) && Object.isFrozen(payload)).toBe(
      true,
    );
  });

  test('a payload using the envelope prefix gets that namespace declared on itself', () => {
    const e = parseEnvelope(fixture('examples/infrastructure-nack.xml'));
    expect(e.payloads[0]!.content).toMatch(
      /^<itk:InfrastructureResponse xmlns:itk="urn:nhs-itk:ns:201005" result="Failure"/,
    );
  });

  test('base64 and gzip payloads are decoded, and encoded again by build', () => {
    const base: Envelope = parseEnvelope(fixture('examples/locate-careplans.xml'));
    const xml = base.payloads[0]!.content!;
    for (const encoding of ['base64', 'compressed'] as const) {
      const e: Envelope = {
        ...base,
        manifest: [{ ...base.manifest[0]!, base64: true, compressed: encoding === 'compressed' }],
        payloads: [{ id: base.payloads[0]!.id, encoding, content: xml }],
      };
      const built = buildEnvelope(e);
      expect(built).not.toContain('<LocateCarePlans');
      expect(parseEnvelope(built).payloads[0]).toEqual({
        id: base.payloads[0]!.id,
        encoding,
        content: xml,
      });
    }
  });

  test('what is not an envelope is refused with the reason', () => {
    expect(() => parseEnvelope('<a/>')).toThrow(
      new EnvelopeParseError('the root element is {}a, not a Distribution Envelope'),
    );
    expect(() => parseEnvelope('<a>')).toThrow(EnvelopeParseError);
    expect(() => parseEnvelope('<!DOCTYPE a><a/>')).toThrow(/DOCTYPE/);
  });
});
