/** 16:10 Manage change: an update on a version that is no longer current is refused (2200). */
import { CAST } from '../cast.js';
import * as out from '../outgoing.js';
import type { PlanData } from '../plan-data.js';
import { arrives, NURSES, nursesCopy, type Scene } from './scene.js';

export const staleUpdate: Scene = {
  time: '16:10',
  title: 'a stale update (on version 1) is refused',
  story:
    'A second nurse edited version 1 this morning on a tablet with no signal; it syncs now. The ' +
    'plan is already at version 2, so the router refuses the stale update instead of letting it ' +
    "undo the GP's version. The GP never sees it.",
  expect: () => [
    arrives(
      'router',
      NURSES,
      'inf-nack',
      'the refusal (2200, version conflict) of the stale update',
      (a, about) =>
        about?.label === 'stale update' &&
        a.ack?.errors[0]?.code === 'DE0012' &&
        /^2200 version conflict/.test(a.ack.errors[0].diagnostic),
    ),
  ],
  async play(day) {
    const stale = day.state.firstVersion ?? nursesCopy(day);
    const proposed: PlanData = {
      ...stale,
      version: stale.version + 1,
      goals: [...stale.goals, 'Visits moved to the afternoon, when Ruth is at home'],
      lastUpdated: day.clock.iso(),
      author: { ...CAST.community.person, name: 'Priya Shah' },
    };
    const why = 'Move the district nurse visits to the afternoon';
    const message = out.update(CAST.community, stale.owner, proposed, stale.version, why);
    await day.systems.community.send({ ...message, label: 'stale update' });
  },
};
