/**
 * Issue 12, finding 9: when the router's own broker user is listed as an end point identity (here
 * the GP's user), that end point could publish "replays" naming any other sender. The router then
 * trusts no replay headers: the message is the GP's own, whatever the headers say.
 */
import { replayHeaders } from '../../../src/router/09-pipeline/replay-trust.js';
import { publishAs } from '../../support/messages.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { ADDR, cda, headersOf } from './de-messages.js';

const h = useRouterHarness({ routerUser: 'gp' });
const Q = (id: string) => h.queue(id);
const everywhere = () => [...h.endpointIds.map(Q), h.names.quarantineQueue];

test('the GP (the router’s user) "replays" a message as the hospice’s user: processed as the GP’s, the headers ignored', async () => {
  // The hospice's own address: sent as the hospice it would be delivered; as the GP, it is forged.
  const msg = cda({ senderAddress: ADDR.hospice, addresses: [ADDR.community] });
  await publishAs(h.user('gp'), '', h.names.routerInboundQueue, msg.bytes, {
    contentType: 'application/xml',
    headers: replayHeaders({
      replayOf: 'forged',
      by: 'mallory',
      reason: 'x',
      user: h.user('hospice').name,
      ignoreDuplicate: true,
    }),
  });
  const q = await h.takeOne(h.names.quarantineQueue);
  expect(headersOf(q)['itk-error-code']).toBe('3000');
  expect(headersOf(q)['itk-sender']).toBe('riverside-gp');
  await h.takeOne(Q('riverside-gp')); // the 3000 nack, to the GP
  await h.expectEmpty(everywhere());
});
