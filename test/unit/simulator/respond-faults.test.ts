/**
 * Faults on demand: each fault changes what the simulator sends as stated, limited by service /
 * interaction / message type and by `times` when a rule says so.
 */
import type { FaultRule } from '../../../src/tools/simulator/faults.js';
import { emptyState } from '../../../src/tools/simulator/plan-store.js';
import { carePlanFacts } from './careplan-facts.js';
import {
  ADDR,
  asBusinessAck,
  asInfAck,
  COMMUNITY,
  expectValid,
  GP,
  kinds,
  receive,
  run,
  seedPlan,
  useValidator,
  withSpec,
} from './simulator-fixtures.js';

const v = useValidator();
const NOTIFICATION = 'valid/careplan-notification-created.xml'; // hospice → GP + community, both acks
const gpState = () => emptyState([seedPlan(v(), 'examples/careplan-notification.xml')]);

test('nack: a nack with the code (and text) instead of the acks and answers', () => {
  const r = run(receive(v(), NOTIFICATION), COMMUNITY, emptyState(), [
    { nack: { code: 'DE0003', text: 'no such team here' } },
  ]);
  expect(kinds(r)).toEqual(['inf-nack']);
  const nack = asInfAck(r.outgoing[0]!);
  expect(nack.errors).toEqual([
    {
      code: 'DE0003',
      codeSystem: '2.16.840.1.113883.2.1.3.2.4.17.516',
      text: 'Distribution Envelope Address List Processing Error',
      diagnostic: 'no such team here',
    },
  ]);
  expect(r.state.plans.size).toBe(0); // not processed: the plan is not kept
  expect(r.faults).toEqual(['nack DE0003']);
  expectValid(v(), r.outgoing[0]!);
});

test('nack never applies to an inf ack (acks are not acknowledged)', () => {
  expect(
    run(receive(v(), 'valid/inf-ack-ok.xml'), GP, emptyState(), [{ nack: { code: '1000' } }])
      .outgoing,
  ).toEqual([]);
});

test('drop: nothing at all, and nothing kept', () => {
  const r = run(receive(v(), NOTIFICATION), COMMUNITY, emptyState(), [{ drop: true }]);
  expect(r).toMatchObject({ outgoing: [], notes: ['dropped it: sends nothing'], faults: ['drop'] });
  expect(r.state.plans.size).toBe(0);
});

test('delay: the same answers, to be sent after the delay', () => {
  const r = run(receive(v(), NOTIFICATION), COMMUNITY, emptyState(), [{ delayMs: 2000 }]);
  expect(kinds(r)).toEqual(['inf-ack', 'business-ack']);
  expect(r.delayMs).toBe(2000);
  expect(r.faults).toEqual(['delay 2 s']);
});

test('duplicate answers: every message sent twice, the same bytes and tracking id', () => {
  const r = run(receive(v(), NOTIFICATION), COMMUNITY, emptyState(), [{ duplicateAnswers: true }]);
  expect(kinds(r)).toEqual(['inf-ack', 'inf-ack', 'business-ack', 'business-ack']);
  expect(r.outgoing[0]).toBe(r.outgoing[1]);
  expect(r.outgoing[2]).toBe(r.outgoing[3]);
});

describe('stale version', () => {
  test('a found response carries the plan one version old', () => {
    const atV2 = run(receive(v(), 'examples/careplan-update.xml'), GP, gpState()).state;
    const r = run(receive(v(), 'valid/careplan-request-by-planid.xml'), GP, atV2, [
      { staleVersion: true },
    ]);
    const res = r.outgoing.find((o) => o.kind === 'CarePlanResponse')!;
    expect(carePlanFacts(res).plan?.version).toBe(1);
    expectValid(v(), res);
  });

  test('an accepted update is notified without its version incremented (the router refuses it)', () => {
    const r = run(receive(v(), 'examples/careplan-update.xml'), GP, gpState(), [
      { staleVersion: true },
    ]);
    const note = r.outgoing.find((o) => o.kind === 'CarePlanNotification')!;
    expect(carePlanFacts(note)).toMatchObject({ event: 'updated', plan: { version: 1 } });
    expect(r.state.plans.get(carePlanFacts(note).planId!)?.version).toBe(2); // it believes it is at 2
  });
});

describe('acknowledging acknowledgements (a deliberate accreditation failure)', () => {
  test('an inf ack gets an inf ack', () => {
    const ack = receive(v(), 'valid/inf-ack-ok.xml'); // community → GP
    const r = run(ack, GP, emptyState(), [{ ackAcks: true }]);
    expect(kinds(r)).toEqual(['inf-ack']);
    expect(asInfAck(r.outgoing[0]!)).toMatchObject({
      result: 'OK',
      trackingIdRef: ack.envelope!.trackingId,
    });
    expect(asInfAck(r.outgoing[0]!).envelope.addresses).toEqual([{ uri: ADDR.community }]);
  });

  test('a business ack gets an inf ack and a business ack AA', () => {
    const ack = receive(v(), 'valid/business-ack-aa.xml', withSpec('infackrequested', 'false'));
    const r = run(ack, COMMUNITY, emptyState(), [{ ackAcks: true }]);
    expect(kinds(r)).toEqual(['inf-ack', 'business-ack']);
    expect(asBusinessAck(r.outgoing[1]!)).toMatchObject({
      typeCode: 'AA',
      ref: ack.envelope!.trackingId,
    });
  });
});

describe('limits', () => {
  const nackRequests: FaultRule = {
    nack: { code: '2100' },
    when: { messageType: ['CarePlanRequest'] },
  };

  test('by message type: only requests are nacked; a notification is acknowledged as usual', () => {
    expect(
      kinds(
        run(receive(v(), 'valid/careplan-request-by-planid.xml'), GP, emptyState(), [nackRequests]),
      ),
    ).toEqual(['inf-nack']);
    expect(kinds(run(receive(v(), NOTIFICATION), GP, emptyState(), [nackRequests]))).toEqual([
      'inf-ack',
      'business-ack',
    ]);
  });

  test('by service and interaction, with * globs (named and generic forms alike)', () => {
    const byInteraction: FaultRule = {
      drop: true,
      when: { interaction: ['urn:itk-router:interaction:CarePlan*'] },
    };
    expect(run(receive(v(), NOTIFICATION), GP, emptyState(), [byInteraction]).outgoing).toEqual([]); // named service
    expect(
      run(receive(v(), 'valid/careplan-notification-updated.xml'), COMMUNITY, emptyState(), [
        byInteraction,
      ]).outgoing,
    ).toEqual([]); // generic
    expect(
      run(receive(v(), 'valid/cda-document-noncoded.xml'), COMMUNITY, emptyState(), [byInteraction])
        .outgoing,
    ).toHaveLength(2);
    const byService: FaultRule = { drop: true, when: { service: ['*SendInfrastructureAck*'] } };
    expect(run(receive(v(), NOTIFICATION), GP, emptyState(), [byService]).outgoing).toHaveLength(2);
  });

  test('times: only the first N matching messages; the count is kept in the state', () => {
    const once: FaultRule[] = [{ nack: { code: '2100' }, times: 1 }];
    const first = run(receive(v(), NOTIFICATION), GP, emptyState(), once);
    expect(kinds(first)).toEqual(['inf-nack']);
    expect(first.state.faultUses).toEqual([1]);
    const second = run(receive(v(), NOTIFICATION), GP, first.state, once);
    expect(kinds(second)).toEqual(['inf-ack', 'business-ack']);
    expect(second.faults).toEqual([]);
  });

  test('several matching rules add up', () => {
    const r = run(receive(v(), NOTIFICATION), GP, emptyState(), [
      { delayMs: 100 },
      { duplicateAnswers: true },
    ]);
    expect([r.delayMs, r.outgoing.length, r.faults]).toEqual([
      100,
      4,
      ['delay 100 ms', 'duplicate answers'],
    ]);
  });
});
