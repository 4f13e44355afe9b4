/**
 * The care-plan integration tests' view of a running router (test/support/router-harness.ts, on
 * the routes of test/fixtures/careplans/routes): publish as a supplier, read what arrived where,
 * the nacks, and the index through the harness's own connection to the router's SQLite file.
 * One per test file: `useCarePlanWorld()` registers the harness hooks.
 */
import path from 'node:path';
import type { GetMessage } from 'amqplib';
import type { PlanRecord, PlanVersion } from '../../src/router/06-careplans/careplan-index.js';
import type { MessageStory } from '../../src/router/08-store/message-store.js';
import {
  EP,
  headersOf,
  INF_ACK_SERVICE,
  readInfAck,
  ROUTER_IDENTITY,
  DE_ERRORS,
  type InfAckRead,
  type Role,
  type TestMessage,
} from './careplan-messages.js';
import { FIXTURES } from './fixture-files.js';
import { purgeQueues } from './messages.js';
import { useRouterHarness, type RouterHarness } from './router-harness.js';

export const CAREPLAN_ROUTES = path.join(FIXTURES, 'careplans', 'routes');

/** A care-plan rule concerns the payload: its nack is DE0012 (src/router/07-delivery/nack-codes.ts). */
const PAYLOAD_ERROR_TEXT = 'Distribution Envelope Payload Processing Error';

export interface CarePlanWorld {
  readonly h: RouterHarness;
  /** `itk.endpoint.<id>` of a role's end point, or of an end point id. */
  queue(who: Role | string): string;
  /** Every end point queue and the quarantine. */
  everywhere(): string[];
  publish(role: Role, msg: TestMessage): Promise<void>;
  /** Waits until the router finished the message (its record completed); returns the story. */
  completed(trackingId: string): Promise<MessageStory>;
  /**
   * Takes one message from `who`'s queue and checks it is `msg` delivered unchanged by the router,
   * with the contract's properties; returns it.
   */
  expectDelivered(
    who: Role | string,
    msg: TestMessage,
    from: Role,
    recipient?: string,
  ): Promise<GetMessage>;
  /**
   * Takes the nack of `msg` from the sender's queue and checks it: DE0012 with TKW's text, and a
   * diagnostic that starts with the Toolkit `code` and matches `diagnostic`.
   */
  expectNack(
    role: Role,
    msg: TestMessage,
    code: '2200' | '3000',
    diagnostic: RegExp,
  ): Promise<InfAckRead>;
  /** Nothing (more) in any queue. */
  expectQuiet(waitMs?: number): Promise<void>;
  /** Publishes a setup message, checks the router delivered it, then empties every queue. */
  establish(role: Role, msg: TestMessage): Promise<void>;
  plan(planId: string): Promise<PlanRecord | undefined>;
  history(planId: string): Promise<readonly PlanVersion[]>;
}

export function useCarePlanWorld(): CarePlanWorld {
  const h = useRouterHarness({ routesDir: CAREPLAN_ROUTES });
  const queue = (who: Role | string) => h.queue(who in EP ? EP[who as Role] : who);
  const everywhere = () => [...h.endpointIds.map((id) => h.queue(id)), h.names.quarantineQueue];
  const completed = (trackingId: string) =>
    h.waitForStory(
      trackingId,
      (s) => s.messages.length > 0 && s.messages.every((m) => m.record.completedAt != null),
    );
  const world: CarePlanWorld = {
    h,
    queue,
    everywhere,
    publish: (role, msg) => h.publish(role, msg.bytes),
    completed,
    async expectDelivered(who, msg, from, recipient) {
      const got = await h.takeOne(queue(who));
      expect(got.content.equals(msg.bytes)).toBe(true);
      expect(got.properties.messageId).toBe(msg.trackingId);
      expect(got.properties.deliveryMode).toBe(2);
      expect(got.properties.appId).toBe('itk-router');
      const headers = headersOf(got);
      expect(headers['itk-tracking-id']).toBe(msg.trackingId);
      expect(headers['itk-sender']).toBe(EP[from]);
      if (recipient !== undefined) expect(headers['itk-recipient']).toBe(recipient);
      return got;
    },
    async expectNack(role, msg, code, diagnostic) {
      const got = await h.takeOne(queue(role));
      const nack = readInfAck(got);
      expect(nack.envelope.service).toBe(INF_ACK_SERVICE);
      expect(nack.result).toBe('Failure');
      expect(nack.trackingIdRef).toBe(msg.trackingId);
      expect(nack.reportingIdentity).toEqual([ROUTER_IDENTITY]);
      expect(nack.errors).toHaveLength(1);
      expect(nack.errors[0]).toEqual({
        code: 'DE0012',
        codeSystem: DE_ERRORS,
        text: PAYLOAD_ERROR_TEXT,
        diagnostic: expect.stringMatching(new RegExp(`^${code} `)),
      });
      expect(nack.errors[0]!.diagnostic).toMatch(diagnostic);
      return nack;
    },
    expectQuiet: (waitMs = 300) => h.expectEmpty(everywhere(), waitMs),
    async establish(role, msg) {
      await world.publish(role, msg);
      const story = await completed(msg.trackingId);
      const outcome = story.messages[0]!.record.outcome;
      if (outcome !== 'delivered' && outcome !== 'answered') {
        throw new Error(
          `setup message ${msg.trackingId} was not delivered: ${JSON.stringify(story.messages[0]!.events)}`,
        );
      }
      await purgeQueues(h.client.channel, h.queues);
    },
    plan: (planId) => h.store.carePlans.getPlan(planId),
    history: (planId) => h.store.carePlans.history(planId),
  };
  return world;
}
