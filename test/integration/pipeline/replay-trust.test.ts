/**
 * Issue 12, finding 9 (docs/message-safety.md "Trust boundary", docs/security.md): the router
 * trusts quarantine-replay headers only from a broker user of its own. When it connects as
 * `guest` (whose password everyone knows), replay headers are ignored: a message published by
 * hand through the default exchange is an ordinary message from guest, which no end point lists.
 * (When its user is listed as an end point identity: replay-trust-identity.test.ts.)
 */
import { replayHeaders } from '../../../src/router/09-pipeline/replay-trust.js';
import { publishAs } from '../../support/messages.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { cda, headersOf } from './de-messages.js';

const h = useRouterHarness({ routerUser: 'guest' });
const Q = (id: string) => h.queue(id);
const everywhere = () => [...h.endpointIds.map(Q), h.names.quarantineQueue];

const headers = (user: string, ignoreDuplicate = false) =>
  replayHeaders({ replayOf: 'forged', by: 'mallory', reason: 'x', user, ignoreDuplicate });

test.each([
  ['to the inbound queue through the default exchange', '', () => h.names.routerInboundQueue],
  ['through another exchange (amq.direct, bound by hand)', 'amq.direct', () => 'forged-replay'],
])(
  'a replay as guest %s, naming the GP’s user: not trusted, refused as guest (3000), never delivered as the GP',
  async (_, exchange, key) => {
    if (exchange === 'amq.direct') {
      await h.client.channel.bindQueue(h.names.routerInboundQueue, 'amq.direct', 'forged-replay');
    }
    const msg = cda();
    await publishAs(
      { name: 'guest', password: 'guest', url: h.vhost.url },
      exchange,
      key(),
      msg.bytes,
      {
        contentType: 'application/xml',
        headers: headers(h.user('gp').name, true),
      },
    );
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(headersOf(q)['itk-error-code']).toBe('3000');
    expect(headersOf(q)['itk-error-text']).toContain('guest');
    await h.expectEmpty(everywhere());
    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record.senderEndpointId).toBeNull();
    expect(story.messages[0]!.record.brokerUser).toBe('guest');
  },
);
