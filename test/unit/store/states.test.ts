import { advance, EVENT_STATES, MESSAGE_STATES } from '../../../src/router/08-store/states.js';

describe('advance', () => {
  it('moves forward along the normal path', () => {
    const path = ['validated', 'routed', 'delivered', 'inf-acked', 'bus-acked'] as const;
    let state: (typeof MESSAGE_STATES)[number] = 'received';
    for (const next of path) {
      state = advance(state, next);
      expect(state).toBe(next);
    }
  });

  it('never moves back', () => {
    expect(advance('bus-acked', 'inf-acked')).toBe('bus-acked');
    expect(advance('inf-acked', 'ack-overdue')).toBe('inf-acked');
    expect(advance('delivered', 'received')).toBe('delivered');
    expect(advance('nacked', 'bus-acked')).toBe('nacked');
  });

  it('lets an ack follow "ack overdue", and a failure follow anything', () => {
    expect(advance('ack-overdue', 'inf-acked')).toBe('inf-acked');
    for (const s of MESSAGE_STATES) expect(advance(s, 'quarantined')).toBe('quarantined');
    expect(advance('quarantined', 'nacked')).toBe('nacked');
  });

  it('keeps the state on duplicate and failed-attempt events', () => {
    for (const s of MESSAGE_STATES) {
      expect(advance(s, 'duplicate')).toBe(s);
      expect(advance(s, 'failed-attempt')).toBe(s);
    }
    expect(EVENT_STATES).toHaveLength(MESSAGE_STATES.length + 2);
  });
});
