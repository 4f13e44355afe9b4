/**
 * Issue 19, on the real broker: every kind of message the router sends (nacks of every outcome
 * that nacks, its inf ack for an `acks: router` end point, a repeated answer to a duplicate)
 * passes the official ITK schemas and TKW's ack rules (test/support/conformance.ts). The check
 * runs inside the test support for every router message any integration test reads
 * (test/support/messages.ts); this file makes sure each kind is produced and read, and that a
 * nack says the refusal in the DE vocabulary with its Toolkit code first.
 */
import { routerMessagesChecked } from '../../support/messages.js';
import { conformanceProblems } from '../../support/conformance.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { ADDR, cda, de, headersOf, readInfAck } from './de-messages.js';

const h = useRouterHarness();
const Q = (id: string) => h.queue(id);

/** Publishes, takes what the router sent to `endpoint`, checks it is conformant, returns the nack. */
async function routerAnswer(role: string, bytes: Buffer, endpoint: string) {
  const before = routerMessagesChecked.count;
  await h.publish(role, bytes);
  const msg = await h.takeOne(Q(endpoint));
  expect(headersOf(msg)['itk-sender']).toBe('router');
  expect(routerMessagesChecked.count).toBe(before + 1); // the support checked it
  expect(conformanceProblems(msg.content)).toEqual([]);
  return readInfAck(msg);
}

const cases: [string, () => { role: string; bytes: Buffer; to: string }, string, RegExp][] = [
  [
    'invalid (payload schema)',
    () => ({
      role: 'gp',
      bytes: de('broken/payload-schema-wrong-enum.xml', { senderAddress: ADDR.gp }).bytes,
      to: 'riverside-gp',
    }),
    'DE0012',
    /^1000 PAYLOAD-SCHEMA: /,
  ],
  [
    'invalid (DE rule)',
    () => ({
      role: 'gp',
      bytes: de('broken/de0006-manifest-count-mismatch.xml', { senderAddress: ADDR.gp }).bytes,
      to: 'riverside-gp',
    }),
    'DE0006',
    /^DE-MANIFEST-COUNT: /,
  ],
  [
    'unreadable (not well-formed)',
    () => ({
      role: 'gp',
      bytes: de('broken/xml-wellformed-truncated.xml').bytes,
      to: 'riverside-gp',
    }),
    'DE0001',
    /^1000 XML-WELLFORMED: /,
  ],
  [
    'forbidden sender address',
    () => ({ role: 'gp', bytes: cda({ senderAddress: ADDR.hospice }).bytes, to: 'riverside-gp' }),
    'DE0008',
    /^3000 end point riverside-gp may not send as /,
  ],
  [
    'rejected by a route (2200)',
    () => ({
      role: 'gp',
      bytes: cda({ service: 'urn:nhs-itk:services:201005:SendDocument-v1-0' }).bytes,
      to: 'riverside-gp',
    }),
    'DE0001',
    /^2200 Service withdrawn in this locality \(route withdrawn-service\)$/,
  ],
  [
    'unroutable',
    () => ({ role: 'gp', bytes: cda({ addresses: [ADDR.nowhere] }).bytes, to: 'riverside-gp' }),
    'DE0003',
    /^No end point is registered for urn:nhs-uk:addressing:ods:Z99999$/,
  ],
];

describe('every nack the router sends passes the official schemas and TKW, in the DE vocabulary', () => {
  test.each(cases)('%s', async (_, make, code, diagnostic) => {
    const { role, bytes, to } = make();
    const nack = await routerAnswer(role, bytes, to);
    expect(nack.result).toBe('Failure');
    expect(nack.envelope.handlingSpecs).toContainEqual({
      key: 'urn:nhs-itk:ns:201005:interaction',
      value: 'urn:nhs-itk:interaction:ITKInfrastructureAcknowledgement-v1-0',
    });
    expect(nack.errors.map((e) => e.codeSystem)).toContain('2.16.840.1.113883.2.1.3.2.4.17.516');
    expect(nack.errors[0]!.code).toBe(code);
    expect(nack.errors[0]!.diagnostic).toMatch(diagnostic);
  });

  test('partly delivered: the others get the message, the sender a DE0003 nack', async () => {
    const msg = cda({ addresses: [ADDR.community, ADDR.nowhere] });
    const nack = await routerAnswer('gp', msg.bytes, 'riverside-gp');
    expect(nack.errors.map((e) => e.code)).toEqual(['DE0003']);
    expect((await h.takeOne(Q('riverside-community'))).content.equals(msg.bytes)).toBe(true);
  });

  test("the router's inf ack for an acks: router end point: OK, an empty errors, the interaction", async () => {
    const msg = cda({ addresses: [ADDR.hospice], specs: { infackrequested: 'true' } });
    const ack = await routerAnswer('gp', msg.bytes, 'riverside-gp');
    expect(ack).toMatchObject({ result: 'OK', trackingIdRef: msg.trackingId, errors: [] });
    expect(ack.envelope.payloads[0]!.content).toMatch(/<itk:errors\/>/);
    await h.takeOne(Q('st-marys-hospice'));
  });

  test('a duplicate gets the same nack again, still conformant', async () => {
    const msg = cda({ addresses: [ADDR.nowhere] });
    const first = await routerAnswer('gp', msg.bytes, 'riverside-gp');
    const again = await routerAnswer('gp', msg.bytes, 'riverside-gp');
    expect(again.errors).toEqual(first.errors);
  });
});
