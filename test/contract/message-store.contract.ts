/**
 * The contract every MessageStore implementation passes, unchanged: SQLite and PostgreSQL.
 * It includes the care-plan index (careplan-index.contract.ts), which lives in the same database.
 *
 * `makeStore` must return a NEW connection to the SAME database on every call (the concurrency
 * test opens two), not yet migrated. Tests share that database and isolate themselves by using
 * fresh random tracking ids and end point ids, so the database need not be emptied between tests.
 */
import { randomUUID } from 'node:crypto';
import type { MessageStore, RouterResponse } from '../../src/router/08-store/message-store.js';
import { StoreError } from '../../src/router/08-store/store-error.js';
import { describeAckExpectationsContract } from './ack-expectations.contract.js';
import { describeAuditLogContract } from './audit-log.contract.js';
import { describeCarePlanIndexContract } from './careplan-index.contract.js';
import { describeGroupCommitContract } from './group-commit.contract.js';
import { describeMessageQueriesContract } from './message-queries.contract.js';
import { describeProcessingLeaseContract } from './processing-lease.contract.js';
import { describeReplayGenerationsContract } from './replay-generations.contract.js';
import { describeRetentionContract } from './retention.contract.js';
import { at, beginNew, incoming, nack, newEndpoint, newTrackingId } from './store-fixtures.js';
import { storyScenario } from './story-scenario.js';

const rejectsWith = async (promise: Promise<unknown>, code: StoreError['code']): Promise<void> => {
  await expect(promise).rejects.toBeInstanceOf(StoreError);
  await expect(promise).rejects.toMatchObject({ code });
};

export function describeMessageStoreContract(
  name: string,
  makeStore: () => Promise<MessageStore>,
): void {
  describe(`MessageStore contract: ${name}`, () => {
    const opened: MessageStore[] = [];
    const open = async (): Promise<MessageStore> => {
      const store = await makeStore();
      opened.push(store);
      await store.migrate();
      return store;
    };
    let store: MessageStore;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe('begin', () => {
      it('records a new message, and returns it as existing, with its outcome, the second time', async () => {
        const message = incoming({ receivedAt: at(1) });
        const id = await beginNew(store, message);

        const again = await store.begin({ ...message, receivedAt: at(2) });
        expect(again).toEqual({
          kind: 'existing',
          record: {
            id,
            trackingId: message.trackingId,
            senderEndpointId: message.senderEndpointId,
            brokerUser: 'riverside-gp',
            service: 'urn:nhs-itk:services:201005:sendDistEnvelope',
            interaction: 'urn:itk-router:interaction:CarePlanNotification-v1-0',
            senderAddress: 'urn:nhs-uk:addressing:ods:A83001',
            receivedAt: at(1),
            size: message.bytes.byteLength,
            state: 'received',
            outcome: null,
            completedAt: null,
          },
        });

        const sent = nack(message.senderEndpointId!);
        await store.complete(id, { state: 'nacked', at: at(3), responses: [sent], code: '1000' });
        const third = await store.begin({ ...message, receivedAt: at(4) });
        expect(third.kind).toBe('existing');
        if (third.kind !== 'existing') return;
        expect(third.record).toMatchObject({
          id,
          state: 'nacked',
          outcome: 'nacked',
          completedAt: at(3),
        });
        expect(await store.responsesFor(third.record.id)).toEqual([sent]);
      });

      it('keys on (sender, tracking id): the same tracking id from another sender is new', async () => {
        const first = incoming();
        const other = incoming({
          trackingId: first.trackingId,
          senderEndpointId: newEndpoint('hospice'),
        });
        const a = await beginNew(store, first);
        const b = await beginNew(store, other);
        expect(a).not.toBe(b);
        const found = await store.findByTrackingId(first.trackingId);
        expect(found.map((h) => h.record.senderEndpointId).sort()).toEqual(
          [first.senderEndpointId, other.senderEndpointId].sort(),
        );
      });

      it('never treats a message without a sender as a duplicate', async () => {
        const message = incoming({ senderEndpointId: null, brokerUser: undefined });
        const a = await beginNew(store, message);
        const b = await beginNew(store, message);
        expect(a).not.toBe(b);
        const found = await store.findByTrackingId(message.trackingId);
        expect(found.map((h) => [h.record.senderEndpointId, h.record.brokerUser])).toEqual([
          [null, null],
          [null, null],
        ]);
      });

      it('stores missing optional fields as null and keeps the original bytes exactly', async () => {
        const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, 0x3c, 0x00, 0xff, 0x3e]);
        const message = incoming({ bytes, interaction: undefined, senderAddress: undefined });
        const id = await beginNew(store, message);
        const [history] = await store.findByTrackingId(message.trackingId);
        expect(history?.record).toMatchObject({ interaction: null, senderAddress: null, size: 7 });
        expect(await store.originalBytes(id)).toEqual(Buffer.from(bytes));
        expect(await store.originalBytes(randomUUID())).toBeUndefined();
      });

      it('lets exactly one of two connections begin the same message at once', async () => {
        const other = await open();
        const messages = Array.from({ length: 20 }, () => incoming());
        const results = await Promise.all(
          messages.flatMap((m) => [store.begin(m), other.begin({ ...m, receivedAt: at(9) })]),
        );
        for (let i = 0; i < messages.length; i++) {
          const pair = [results[2 * i], results[2 * i + 1]];
          const fresh = pair.filter((r) => r?.kind === 'new');
          const existing = pair.filter((r) => r?.kind === 'existing');
          expect(fresh).toHaveLength(1);
          expect(existing).toHaveLength(1);
          const id = fresh[0]?.kind === 'new' ? fresh[0].id : undefined;
          expect(existing[0]?.kind === 'existing' && existing[0].record.id).toBe(id);
        }
        const stored = await other.findByTrackingId(messages[0]!.trackingId);
        expect(stored).toHaveLength(1);
      });
    });

    describe('events', () => {
      it('keeps events in the order added, with their details, and moves the state on', async () => {
        const message = incoming();
        const id = await beginNew(store, message);
        await store.addEvent(id, { state: 'validated', at: at(1) });
        await store.addEvent(id, {
          state: 'routed',
          at: at(2),
          detail: 'route eolc-copies-to-out-of-hours',
        });
        await store.addEvent(id, { state: 'delivered', at: at(3), endpointId: 'ooh-111' });
        await store.addEvent(id, {
          state: 'failed-attempt',
          at: at(4),
          endpointId: 'hospice',
          code: '2100',
        });

        const [history] = await store.findByTrackingId(message.trackingId);
        expect(history?.record.state).toBe('delivered');
        expect(history?.events).toEqual([
          {
            state: 'received',
            at: at(0),
            detail: null,
            endpointId: null,
            code: null,
            ackTrackingId: null,
          },
          {
            state: 'validated',
            at: at(1),
            detail: null,
            endpointId: null,
            code: null,
            ackTrackingId: null,
          },
          {
            state: 'routed',
            at: at(2),
            detail: 'route eolc-copies-to-out-of-hours',
            endpointId: null,
            code: null,
            ackTrackingId: null,
          },
          {
            state: 'delivered',
            at: at(3),
            detail: null,
            endpointId: 'ooh-111',
            code: null,
            ackTrackingId: null,
          },
          {
            state: 'failed-attempt',
            at: at(4),
            detail: null,
            endpointId: 'hospice',
            code: '2100',
            ackTrackingId: null,
          },
        ]);
      });

      it('never moves a state back, and duplicate / failed-attempt never move it', async () => {
        const message = incoming();
        const id = await beginNew(store, message);
        const stateAfter = async (state: Parameters<MessageStore['addEvent']>[1]['state']) => {
          await store.addEvent(id, { state, at: at(1) });
          const [h] = await store.findByTrackingId(message.trackingId);
          return h?.record.state;
        };
        expect(await stateAfter('delivered')).toBe('delivered');
        expect(await stateAfter('validated')).toBe('delivered');
        expect(await stateAfter('duplicate')).toBe('delivered');
        expect(await stateAfter('inf-acked')).toBe('inf-acked');
        expect(await stateAfter('ack-overdue')).toBe('inf-acked');
        expect(await stateAfter('bus-acked')).toBe('bus-acked');
        expect(await stateAfter('failed-attempt')).toBe('bus-acked');
        expect(await stateAfter('quarantined')).toBe('quarantined');
        expect(await stateAfter('received')).toBe('quarantined');
      });

      it('refuses an event for an unknown message, and an unknown state', async () => {
        await rejectsWith(
          store.addEvent(randomUUID(), { state: 'validated', at: at(1) }),
          'unknown-message',
        );
        const id = await beginNew(store, incoming());
        const bogus = { state: 'lost', at: at(1) } as unknown as Parameters<
          MessageStore['addEvent']
        >[1];
        await rejectsWith(store.addEvent(id, bogus), 'invalid-argument');
      });

      it('lists confirmed deliveries per end point, once each, in order of confirmation', async () => {
        const id = await beginNew(store, incoming());
        const otherId = await beginNew(store, incoming());
        expect(await store.confirmedDeliveries(id)).toEqual([]);
        await store.addEvent(id, { state: 'delivered', at: at(1), endpointId: 'ooh-111' });
        await store.addEvent(id, { state: 'failed-attempt', at: at(2), endpointId: 'hospice' });
        await store.addEvent(id, { state: 'delivered', at: at(3), endpointId: 'district-nursing' });
        await store.addEvent(id, { state: 'delivered', at: at(4), endpointId: 'ooh-111' });
        await store.addEvent(id, { state: 'delivered', at: at(5) });
        await store.addEvent(id, { state: 'delivered', at: at(6), endpointId: 'hospice' });
        await store.addEvent(otherId, { state: 'delivered', at: at(1), endpointId: 'social-care' });
        expect(await store.confirmedDeliveries(id)).toEqual([
          'ooh-111',
          'district-nursing',
          'hospice',
        ]);
        expect(await store.confirmedDeliveries(otherId)).toEqual(['social-care']);
      });
      it('moves the state forward only when two connections add events to a message at once', async () => {
        const other = await open();
        const messages = Array.from({ length: 20 }, () => incoming());
        const ids = await Promise.all(messages.map((m) => beginNew(store, m)));
        await Promise.all(
          ids.flatMap((id) => [
            store.addEvent(id, { state: 'bus-acked', at: at(2), endpointId: 'ooh-111' }),
            other.addEvent(id, { state: 'inf-acked', at: at(1), endpointId: 'ooh-111' }),
          ]),
        );
        for (const m of messages) {
          const [history] = await store.findByTrackingId(m.trackingId);
          expect(history?.record.state).toBe('bus-acked');
          expect(history?.events.map((e) => e.state).sort()).toEqual([
            'bus-acked',
            'inf-acked',
            'received',
          ]);
        }
      });
    });

    describe('complete', () => {
      it('stores the outcome and the responses in order, and appends the final event', async () => {
        const message = incoming();
        const id = await beginNew(store, message);
        const responses: RouterResponse[] = [
          nack(message.senderEndpointId!),
          {
            kind: 'inf-ack',
            trackingId: newTrackingId(),
            toEndpointId: 'riverside-gp',
            service: 'urn:nhs-itk:services:201005:InfrastructureAcknowledgment',
            addressee: 'urn:nhs-uk:addressing:ods:A83001',
            xml: '<ack/>',
          },
          {
            kind: 'response',
            trackingId: newTrackingId(),
            toEndpointId: 'riverside-gp',
            service: 'urn:itk-router:careplan:LocateCarePlansResponse-v1-0',
            xml: '<answer/>',
          },
        ];
        await store.addEvent(id, { state: 'delivered', at: at(1), endpointId: 'ooh-111' });
        await store.complete(id, {
          state: 'delivered',
          at: at(2),
          responses,
          detail: 'DE0003 for 1 address',
        });

        expect(await store.responsesFor(id)).toEqual(responses);
        const [history] = await store.findByTrackingId(message.trackingId);
        expect(history?.record).toMatchObject({
          state: 'delivered',
          outcome: 'delivered',
          completedAt: at(2),
        });
        expect(history?.responses).toEqual(responses);
        expect(history?.events.at(-1)).toEqual({
          state: 'delivered',
          at: at(2),
          detail: 'DE0003 for 1 address',
          endpointId: null,
          code: null,
          ackTrackingId: null,
        });
      });

      it('has no responses for a message without any, and refuses a second completion', async () => {
        const id = await beginNew(store, incoming());
        expect(await store.responsesFor(id)).toEqual([]);
        await store.complete(id, { state: 'answered', at: at(1), responses: [] });
        expect(await store.responsesFor(id)).toEqual([]);
        await rejectsWith(
          store.complete(id, { state: 'nacked', at: at(2), responses: [] }),
          'already-completed',
        );
        await rejectsWith(
          store.complete(randomUUID(), { state: 'nacked', at: at(2), responses: [] }),
          'unknown-message',
        );
        expect(await store.responsesFor(randomUUID())).toEqual([]);
      });

      it('records answers before they are sent, first attempt wins, kept once by the completion', async () => {
        const message = incoming();
        const id = await beginNew(store, message);
        const answer = (n: number): RouterResponse => ({
          kind: 'response',
          trackingId: newTrackingId(),
          toEndpointId: message.senderEndpointId!,
          service: 'urn:itk-router:careplan:LocateCarePlansResponse-v1-0',
          addressee: 'urn:nhs-uk:addressing:ods:A83001',
          xml: `<answer n="${n}"/>`,
        });
        const [first, second] = [answer(1), answer(2)];
        expect(await store.recordAnswers(id, [first, second], [])).toEqual([first, second]);
        // Another attempt that saw none recorded, or saw others: what is recorded stands.
        expect(await store.recordAnswers(id, [answer(3)], [])).toEqual([first, second]);
        expect(await store.recordAnswers(id, [answer(4)], [first.trackingId])).toEqual([
          first,
          second,
        ]);
        expect(await store.responsesFor(id)).toEqual([first, second]);
        expect((await store.findByTrackingId(message.trackingId))[0]!.record.completedAt).toBe(
          null,
        );
        // One that saw them replaces them (a new answer, the old one's plans no longer visible).
        const fresh = answer(5);
        const expected = [second.trackingId, first.trackingId];
        expect(await store.recordAnswers(id, [fresh], expected)).toEqual([fresh]);
        expect(await store.responsesFor(id)).toEqual([fresh]);

        // The completion lists every response sent, the recorded answer among them.
        const nackToo = nack(message.senderEndpointId!);
        await store.complete(id, { state: 'answered', at: at(1), responses: [nackToo, fresh] });
        expect(await store.responsesFor(id)).toEqual([fresh, nackToo]);
        // A recorded answer's tracking id leads to the message it answered.
        const story = await store.track(fresh.trackingId);
        expect(story?.originals.map((h) => h.record.id)).toEqual([id]);

        await rejectsWith(store.recordAnswers(id, [answer(6)], []), 'already-completed');
        await rejectsWith(store.recordAnswers(randomUUID(), [answer(7)], []), 'unknown-message');
        await rejectsWith(store.recordAnswers('not-a-uuid', [answer(8)], []), 'unknown-message');
        expect(await store.responsesFor(id)).toEqual([fresh, nackToo]);
      });

      it('drops recorded answers the completion does not list: never sent', async () => {
        const message = incoming();
        const id = await beginNew(store, message);
        const recorded: RouterResponse = {
          kind: 'response',
          trackingId: newTrackingId(),
          toEndpointId: message.senderEndpointId!,
          service: 'urn:itk-router:careplan:LocateCarePlansResponse-v1-0',
          xml: '<answer/>',
        };
        await store.recordAnswers(id, [recorded], []);
        // The message failed after recording its answer: completed with a nack alone.
        const failed = nack(message.senderEndpointId!);
        await store.complete(id, {
          state: 'nacked',
          at: at(1),
          responses: [failed],
          code: '2100',
        });
        expect(await store.responsesFor(id)).toEqual([failed]);
        expect(await store.track(recorded.trackingId)).toBeUndefined();
      });
    });

    describe('correlate', () => {
      it('appends the ack to the original, moves its state on, and links the ack', async () => {
        const original = incoming();
        const id = await beginNew(store, original);
        await store.complete(id, { state: 'delivered', at: at(1), responses: [] });
        const infAck = newTrackingId();
        const busAck = newTrackingId();

        const updated = await store.correlate(original.trackingId, {
          state: 'inf-acked',
          by: 'ooh-111',
          ackTrackingId: infAck,
          at: at(2),
        });
        expect(updated).toHaveLength(1);
        expect(updated[0]).toMatchObject({ id, state: 'inf-acked', outcome: 'delivered' });

        await store.correlate(original.trackingId, {
          state: 'bus-acked',
          by: 'ooh-111',
          ackTrackingId: busAck,
          at: at(3),
          code: 'AA',
        });
        const late = await store.correlate(original.trackingId, {
          state: 'inf-acked',
          by: 'ooh-111',
          ackTrackingId: infAck,
          at: at(4),
        });
        expect(late[0]?.state).toBe('bus-acked');

        const [history] = await store.findByTrackingId(original.trackingId);
        expect(history?.events.slice(2)).toEqual([
          {
            state: 'inf-acked',
            at: at(2),
            detail: null,
            endpointId: 'ooh-111',
            code: null,
            ackTrackingId: infAck,
          },
          {
            state: 'bus-acked',
            at: at(3),
            detail: null,
            endpointId: 'ooh-111',
            code: 'AA',
            ackTrackingId: busAck,
          },
        ]);
      });

      it('keeps an ack correlated before completion, and returns nothing for an unknown original', async () => {
        const original = incoming();
        const id = await beginNew(store, original);
        await store.addEvent(id, { state: 'delivered', at: at(1), endpointId: 'ooh-111' });
        const c = {
          state: 'nacked',
          by: 'ooh-111',
          ackTrackingId: newTrackingId(),
          at: at(2),
          code: '1000',
        } as const;
        await store.correlate(original.trackingId, c);
        await store.complete(id, { state: 'delivered', at: at(3), responses: [] });
        const [history] = await store.findByTrackingId(original.trackingId);
        expect(history?.record).toMatchObject({ state: 'nacked', outcome: 'delivered' });
        expect(await store.correlate(newTrackingId(), c)).toEqual([]);
      });

      it('correlates only the original of the named sender when two senders share a tracking id', async () => {
        const a = incoming();
        const b = incoming({ trackingId: a.trackingId, senderEndpointId: newEndpoint('hospice') });
        const idA = await beginNew(store, a);
        await beginNew(store, b);
        const updated = await store.correlate(a.trackingId, {
          state: 'inf-acked',
          by: 'ooh-111',
          ackTrackingId: newTrackingId(),
          at: at(1),
          originalSender: a.senderEndpointId!,
        });
        expect(updated.map((r) => [r.id, r.state])).toEqual([[idA, 'inf-acked']]);
        const states = (await store.findByTrackingId(a.trackingId)).map((h) => [
          h.record.senderEndpointId,
          h.record.state,
        ]);
        expect(states).toEqual(
          expect.arrayContaining([
            [a.senderEndpointId, 'inf-acked'],
            [b.senderEndpointId, 'received'],
          ]),
        );
      });
      it('records an ack once when two connections correlate it at once', async () => {
        const other = await open();
        const originals = Array.from({ length: 20 }, () => incoming());
        await Promise.all(originals.map((m) => beginNew(store, m)));
        const acks = originals.map((m) => ({
          trackingId: m.trackingId,
          c: {
            state: 'inf-acked',
            by: 'ooh-111',
            ackTrackingId: newTrackingId(),
            at: at(1),
          } as const,
        }));
        await Promise.all(
          acks.flatMap(({ trackingId, c }) => [
            store.correlate(trackingId, c),
            other.correlate(trackingId, c),
          ]),
        );
        for (const { trackingId, c } of acks) {
          const [history] = await store.findByTrackingId(trackingId);
          expect(history?.events.filter((e) => e.ackTrackingId === c.ackTrackingId)).toHaveLength(
            1,
          );
          expect(history?.record.state).toBe('inf-acked');
        }
      });
    });

    describe('track', () => {
      it("tells a message's story from its own id, its ack's id, and the router's nack's id", async () => {
        await storyScenario(store);
      });
    });

    describeCarePlanIndexContract(() => store, open);

    describeAckExpectationsContract(() => store, open);

    describeRetentionContract(() => store);

    describeAuditLogContract(() => store);

    describeMessageQueriesContract(() => store);

    describeProcessingLeaseContract(() => store, open);

    describeReplayGenerationsContract(() => store);

    describeGroupCommitContract(() => store, open);

    describe('lifecycle', () => {
      it('migrates idempotently, on one connection and on another', async () => {
        expect(await store.migrate()).toEqual([]);
        const other = await open();
        expect(await other.migrate()).toEqual([]);
        const id = await beginNew(other, incoming());
        expect(await store.confirmedDeliveries(id)).toEqual([]);
      });

      it('answers ping, closes idempotently, and refuses calls once closed', async () => {
        const other = await open();
        await expect(other.ping()).resolves.toBeUndefined();
        await other.close();
        await other.close();
        await rejectsWith(other.ping(), 'closed');
        await rejectsWith(other.begin(incoming()), 'closed');
      });
    });
  });
}
