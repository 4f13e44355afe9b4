/** Which end point a client certificate proves (docs/web-services.md, "Identity is the TLS client certificate"). */
import { certificateKey } from '../../../src/router/01-config/routes-config.js';
import { identifyCaller } from '../../../src/router/11-web-services/client-identity.js';

const FP =
  'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const fpKey = `sha256:${FP.replace(/:/g, '').toLowerCase()}`;
const table = new Map([
  ['westfield-gp.example.nhs.uk', 'westfield-gp'],
  [fpKey, 'hospice'],
]);

describe('identifyCaller', () => {
  test('by subject CN', () => {
    expect(
      identifyCaller({ commonNames: ['westfield-gp.example.nhs.uk'], fingerprint256: '00' }, table),
    ).toEqual({
      endpointId: 'westfield-gp',
      certificate: 'westfield-gp.example.nhs.uk',
    });
  });
  test('by SHA-256 fingerprint, written in any case with or without colons', () => {
    expect(identifyCaller({ commonNames: ['anything'], fingerprint256: FP }, table)).toEqual({
      endpointId: 'hospice',
      certificate: fpKey,
    });
    expect(certificateKey(`sha256:${FP}`)).toBe(fpKey);
    expect(certificateKey(`SHA256:${FP.toLowerCase()}`)).toBe(`SHA256:${FP.toLowerCase()}`); // not a fingerprint form: a CN
  });
  test('a certificate no end point lists: refused, naming its CN and fingerprint', () => {
    expect(identifyCaller({ commonNames: ['stranger'], fingerprint256: '01:02' }, table)).toEqual({
      refusal: 'the client certificate (CN=stranger, sha256:0102) is not listed by any end point',
    });
  });
  test('a CN written like a fingerprint is never taken for one', () => {
    expect(
      identifyCaller({ commonNames: [fpKey], fingerprint256: '01' }, table).endpointId,
    ).toBeUndefined();
  });
});
