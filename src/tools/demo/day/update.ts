/**
 * 13:30 Manage change: a team member proposes the next version to the owner, whose system accepts
 * it (business ack AA) and notifies the new version to everyone who holds a copy.
 */
import { CAST } from '../cast.js';
import * as out from '../outgoing.js';
import type { PlanData } from '../plan-data.js';
import { acking, arrives, GP, NURSES, nursesCopy, pushed, type Scene } from './scene.js';

export const update: Scene = {
  time: '13:30',
  title: 'a nurse proposes an update; the GP accepts it and notifies version 2',
  story:
    'Sam Green, district nurse, visits: Jane can no longer swallow her tablets. Sam proposes ' +
    "version 2 to the plan's owner (a CarePlanUpdate on version 1). The GP system accepts it (a " +
    'business ack AA) and notifies version 2 to everyone who holds a copy.',
  expect: () => [
    arrives(NURSES, GP, 'CarePlanUpdate', 'the proposed update on version 1'),
    arrives(GP, NURSES, 'inf-ack', 'the inf ack of the update', acking('update on v1')),
    arrives(
      GP,
      NURSES,
      'bus-ack',
      'the business ack AA (accepted)',
      (a, about) => a.ack?.typeCode === 'AA' && about?.label === 'update on v1',
    ),
    arrives(NURSES, GP, 'inf-ack', 'the inf ack of the business ack', acking('bus ack AA')),
    ...pushed(2, 'updated'),
  ],
  async play(day) {
    const copy = nursesCopy(day);
    day.state.firstVersion = copy;
    const proposed: PlanData = {
      ...copy,
      version: copy.version + 1,
      activities: [
        ...copy.activities,
        {
          description: 'Syringe driver set up and checked daily',
          responsible: CAST.community.address,
          due: day.clock.date(0),
          status: 'in-progress',
        },
      ],
      lastUpdated: day.clock.iso(),
      author: CAST.community.person,
    };
    const why = 'Jane can no longer take oral medicines: add a syringe driver, checked daily';
    await day.systems.community.send(
      out.update(CAST.community, copy.owner, proposed, copy.version, why),
    );
  },
};
