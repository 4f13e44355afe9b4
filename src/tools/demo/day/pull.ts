/** 10:21 Share, pull: 111 requests the plan through the locator; the owner answers with it. */
import { CAST } from '../cast.js';
import * as out from '../outgoing.js';
import { acking, arrives, GP, OOH, type Scene } from './scene.js';

export const pull: Scene = {
  time: '10:21',
  title: '111 pulls the plan from its owner',
  story:
    "111 pulls the plan: a CarePlanRequest to the locator, which forwards it to the plan's owner, " +
    'the GP practice, whose system answers with the whole plan (a CarePlanResponse, "found").',
  expect: () => [
    arrives(OOH, GP, 'CarePlanRequest', 'the request, forwarded by the locator'),
    arrives(GP, OOH, 'inf-ack', 'the inf ack of the request', acking('request')),
    arrives(
      GP,
      OOH,
      'CarePlanResponse',
      'the response "found" with version 1',
      (a) => a.facts?.outcome === 'found' && a.plan?.version === 1,
    ),
    arrives(OOH, GP, 'inf-ack', 'the inf ack of the response', acking('response found')),
  ],
  async play(day) {
    const entry = day.systems.ooh.located[0];
    if (!entry) throw new Error('111 was told of no plan to ask for');
    const reason =
      'Daughter reports pain and breathlessness; the 111 clinician needs the care plan';
    await day.systems.ooh.send(
      out.request(CAST.ooh, day.locator, entry.planId, reason, entry.title),
    );
  },
};
