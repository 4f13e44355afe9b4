/** 09:00 Share, push: the owner creates the plan and notifies it to the team it chooses. */
import { CAST } from '../cast.js';
import { pushed, type Scene } from './scene.js';
import { anticipatoryCarePlan } from './the-plan.js';

export const push: Scene = {
  time: '09:00',
  title: 'the GP creates the plan and pushes it to the team',
  story:
    "Dr Ann Patel, Jane's GP, agrees an anticipatory care plan with Jane. The practice system pushes " +
    'it (a CarePlanNotification, "created") to the district nurses and the hospice; the router also ' +
    'gives 111 a copy, because 111 receives every end-of-life plan (one copy, though both a copy ' +
    'route and a subscription say so). Each system answers "received" (an inf ack); the ' +
    "hospice's system cannot, so the router says it for the hospice.",
  expect: () => pushed(1, 'created'),
  async play(day) {
    const plan = anticipatoryCarePlan(day.clock);
    day.state.planId = plan.planId;
    await day.systems.gp.share(plan, [CAST.community.address, CAST.hospice.address]);
  },
};
