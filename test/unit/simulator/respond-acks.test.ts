/**
 * The acknowledgement rules of an accredited system (docs/contract.md, ITK facts: Acknowledgements in ITK), on real fixture
 * messages: an inf ack when asked, a business ack AA when asked, a nack with the validation
 * failure, never an ack of an inf ack, only the asked-for inf ack for a business ack.
 */
import { SERVICE } from '../../../src/router/03-envelope/itk-names.js';
import {
  ADDR,
  asBusinessAck,
  asDe,
  asInfAck,
  COMMUNITY,
  expectValid,
  GP,
  kinds,
  receive,
  run,
  useValidator,
  withSpec,
} from './simulator-fixtures.js';

const v = useValidator();
/** The community team with the address it answers from when a message names none of its own. */
const COMMUNITY_AT = { ...COMMUNITY, address: ADDR.community };

describe('a valid message', () => {
  test('both acks requested: an inf ack (OK) then a business ack (AA), to the sender, from the recipient', () => {
    // the hospice notifies the GP and the community team of a new plan
    const msg = receive(v(), 'valid/careplan-notification-created.xml');
    const r = run(msg, COMMUNITY);
    expect(kinds(r)).toEqual(['inf-ack', 'business-ack']);
    const [inf, bus] = r.outgoing;
    const ack = asInfAck(inf!);
    expect(ack).toMatchObject({
      result: 'OK',
      trackingIdRef: 'ED1E68E3-A035-41A4-A34E-9B6FD1588F16',
      serviceRef: 'urn:itk-router:services:CarePlanNotification-v1-0',
      reportingIdentity: ['urn:nhs-uk:identity:ods:RDE01:COMMUNITY'],
      errors: [],
    });
    expect(ack.envelope.service).toBe(SERVICE.infAck);
    expect(ack.envelope.addresses).toEqual([{ uri: ADDR.hospice }]);
    expect(ack.envelope.senderAddress).toEqual({ uri: ADDR.community }); // the address it was reached on
    expect(asBusinessAck(bus!)).toEqual({
      typeCode: 'AA',
      ref: 'ED1E68E3-A035-41A4-A34E-9B6FD1588F16',
      text: undefined,
    });
    expect(asDe(bus!).envelope).toMatchObject({
      service: SERVICE.busAck,
      addresses: [{ uri: ADDR.hospice }],
      senderAddress: { uri: ADDR.community },
    });
    // each a new message: new tracking ids, and valid by the project's own validator
    const ids = new Set([msg.envelope!.trackingId, inf!.trackingId, bus!.trackingId]);
    expect(ids.size).toBe(3);
    for (const o of r.outgoing) expectValid(v(), o);
    expect(r.outgoing.map((o) => o.inReplyTo)).toEqual([
      msg.envelope!.trackingId,
      msg.envelope!.trackingId,
    ]);
  });

  test('only infackrequested: the inf ack alone', () => {
    const msg = receive(v(), 'examples/careplan-notification.xml'); // GP → community, ackrequested=false
    expect(kinds(run(msg, COMMUNITY))).toEqual(['inf-ack']);
  });

  test('only ackrequested: the business ack alone', () => {
    const msg = receive(
      v(),
      'valid/careplan-notification-created.xml',
      withSpec('infackrequested', 'false'),
    );
    expect(kinds(run(msg, GP))).toEqual(['business-ack']);
  });

  test('no handling specification: nothing', () => {
    const msg = receive(v(), 'valid/locate-careplans-named.xml');
    expect(msg.valid).toBe(true);
    expect(run(msg, GP).outgoing).toEqual([]);
  });

  test('spec values compare case-insensitively (TRUE)', () => {
    const msg = receive(v(), 'valid/careplan-notification-two-payloads.xml');
    expect(kinds(run(msg, GP))).toEqual(['inf-ack']);
  });

  test('a CDA document (no payload schema: a warning, still valid) gets both acks', () => {
    const msg = receive(v(), 'valid/cda-document-noncoded.xml');
    expect(msg.findings.some((f) => f.severity === 'warning')).toBe(true);
    expect(kinds(run(msg, COMMUNITY))).toEqual(['inf-ack', 'business-ack']);
  });
});

describe('acknowledgements are never acknowledged', () => {
  test.each([
    'valid/inf-ack-ok.xml',
    'valid/inf-ack-failure.xml',
    'valid/inf-ack-ok-empty-errors-generic.xml',
  ])('an inf ack (%s): nothing', (file) => {
    const msg = receive(v(), file);
    expect(msg.kind).toBe('inf-ack');
    expect(run(msg, GP).outgoing).toEqual([]);
  });

  test('an inf ack that (wrongly) asks for an inf ack: still nothing', () => {
    const msg = receive(v(), 'valid/inf-ack-ok.xml', withSpec('infackrequested', 'true'));
    expect(msg.handling.infAckRequested).toBe(true);
    expect(run(msg, GP).outgoing).toEqual([]);
  });

  test('a business ack gets only the inf ack it asks for, never a business ack', () => {
    const msg = receive(v(), 'valid/business-ack-aa.xml', withSpec('ackrequested', 'true'));
    expect(msg.kind).toBe('business-ack');
    const r = run(msg, COMMUNITY);
    expect(kinds(r)).toEqual(['inf-ack']);
    expect(asInfAck(r.outgoing[0]!).trackingIdRef).toBe('CA1E8D65-3A81-4980-BBA7-811E375B7407');
  });

  test('a business ack that asks for no inf ack: nothing', () => {
    const msg = receive(v(), 'valid/business-ack-ar.xml', withSpec('infackrequested', 'false'));
    expect(run(msg, GP).outgoing).toEqual([]);
  });
});

describe('an invalid message', () => {
  test('is nacked with the validation failure (code, ErrorText, diagnostic), and nothing else', () => {
    const msg = receive(v(), 'broken/de0003-address-not-itk-format.xml');
    expect(msg.valid).toBe(false);
    const r = run(msg, COMMUNITY_AT);
    expect(kinds(r)).toEqual(['inf-nack']);
    const nack = asInfAck(r.outgoing[0]!);
    expect(nack.result).toBe('Failure');
    expect(nack.trackingIdRef).toBe(msg.envelope!.trackingId);
    expect(nack.errors[0]).toMatchObject({
      code: 'DE0003',
      codeSystem: '2.16.840.1.113883.2.1.3.2.4.17.516',
      text: 'Distribution Envelope Address List Processing Error',
      diagnostic: expect.stringMatching(/address/i),
    });
    expectValid(v(), r.outgoing[0]!);
  });

  test('a business-rule failure (bad NHS number check digit): nack DE0012, 1000 first in the diagnostic', () => {
    const msg = receive(v(), 'broken/cp-nhs-number-bad-check-digit.xml');
    const r = run(msg, COMMUNITY);
    expect(kinds(r)).toEqual(['inf-nack']);
    expect(
      asInfAck(r.outgoing[0]!).errors.map((e) => [e.code, e.diagnostic?.slice(0, 19)]),
    ).toEqual([['DE0012', '1000 CP-NHS-NUMBER:']]);
  });

  test('nacked even when no inf ack was asked for (the ITK rule for failures)', () => {
    const msg = receive(
      v(),
      'broken/de0003-address-not-itk-format.xml',
      withSpec('infackrequested', 'false'),
    );
    expect(kinds(run(msg, COMMUNITY_AT))).toEqual(['inf-nack']);
  });

  test('an invalid inf ack is never nacked', () => {
    const msg = receive(v(), 'broken/ack-inf-failure-without-errors.xml');
    expect([msg.kind, msg.valid]).toEqual(['inf-ack', false]);
    expect(run(msg, GP).outgoing).toEqual([]);
  });

  test('not a Distribution Envelope: nothing can be answered', () => {
    const msg = receive(v(), 'broken/xml-wellformed-plain-text.xml');
    expect(msg.kind).toBe('unreadable');
    expect(run(msg, GP)).toMatchObject({
      outgoing: [],
      notes: [expect.stringMatching(/cannot answer/)],
    });
  });

  test('no senderAddress (invalid when acks are asked for): nowhere to send even the nack', () => {
    const msg = receive(v(), 'examples/careplan-notification.xml', (x) =>
      x.replace(/<itk:senderAddress [^>]*\/>/, ''),
    );
    expect(msg.findings.map((f) => f.code)).toContain('DE0008');
    expect(run(msg, COMMUNITY)).toMatchObject({
      outgoing: [],
      notes: ['no senderAddress: cannot answer'],
    });
  });
});

describe('the address it answers from', () => {
  test('the address of the message it claims (a subtree claim: the exact address used)', () => {
    const msg = receive(v(), 'examples/careplan-notification.xml');
    const r = run(msg, COMMUNITY);
    expect(asDe(r.outgoing[0]!).envelope.senderAddress?.uri).toBe(ADDR.community);
  });

  test('else the configured address and identity', () => {
    const msg = receive(v(), 'valid/careplan-request-by-nhsnumber.xml'); // to the locator
    const self = { ...GP, address: ADDR.gp, identity: 'urn:nhs-uk:identity:ods:A83001:SURGERY' };
    const ack = asInfAck(run(msg, self).outgoing[0]!);
    expect(ack.envelope.senderAddress?.uri).toBe(ADDR.gp);
    expect(ack.reportingIdentity).toEqual(['urn:nhs-uk:identity:ods:A83001:SURGERY']);
  });

  test('a subtree-only end point reached through the locator, for no plan of its own: no address to answer from', () => {
    const msg = receive(v(), 'valid/careplan-request-by-nhsnumber.xml');
    expect(run(msg, COMMUNITY)).toMatchObject({
      outgoing: [],
      notes: [expect.stringMatching(/no address of its own/)],
    });
  });
});
