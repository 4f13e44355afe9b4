/** retentionRules(): a policy as the ordered rules the pruner runs; and which acks an answer settles. */
import {
  acksSettledBy,
  overdueDetail,
  settles,
} from '../../../src/router/08-store/ack-expectations.js';
import { cutoff, describeTarget, retentionRules } from '../../../src/router/08-store/retention.js';

describe('retentionRules', () => {
  test('bodies first, then records, then closed care plans; unlisted states are kept', () => {
    expect(
      retentionRules({
        records: { nacked: 400 },
        bodies: { delivered: 7, quarantined: 90 },
        closedCarePlans: 1000,
      }),
    ).toEqual([
      { target: { kind: 'bodies', state: 'delivered' }, ageSeconds: 7 },
      { target: { kind: 'bodies', state: 'quarantined' }, ageSeconds: 90 },
      { target: { kind: 'records', state: 'nacked' }, ageSeconds: 400 },
      { target: { kind: 'closed-care-plans' }, ageSeconds: 1000 },
    ]);
    expect(retentionRules({ bodies: {}, records: {} })).toEqual([]);
  });

  test('a rule prunes what is older than its age at a given time', () => {
    const rule = { target: { kind: 'records', state: 'nacked' }, ageSeconds: 86_400 } as const;
    expect(cutoff(rule, new Date('2025-03-02T00:00:00Z'))).toEqual(
      new Date('2025-03-01T00:00:00Z'),
    );
    expect(describeTarget(rule.target)).toBe('records of nacked messages');
    expect(describeTarget({ kind: 'closed-care-plans' })).toBe('closed care plans');
  });
});

describe('acks settled by an answer', () => {
  test('an inf ack settles the inf ack; a business ack or a nack both; a response the inf ack', () => {
    expect(acksSettledBy('inf-acked')).toEqual(['inf']);
    expect(acksSettledBy('bus-acked')).toEqual(['inf', 'bus']);
    expect(acksSettledBy('nacked')).toEqual(['inf', 'bus']);
    expect(acksSettledBy('answered')).toEqual(['inf']);
    expect(settles('inf-acked', 'bus')).toBe(false);
    expect(settles('delivered', 'inf')).toBe(false);
  });

  test('the ack-overdue event names the ack and its deadline', () => {
    const due = new Date('2025-03-01T09:05:00Z');
    expect(overdueDetail('inf', due)).toBe('inf ack not received by 2025-03-01T09:05:00.000Z');
    expect(overdueDetail('bus', due)).toBe('business ack not received by 2025-03-01T09:05:00.000Z');
  });
});
