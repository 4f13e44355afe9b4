/** The care plan the day is about: Jane's anticipatory (end-of-life) care plan, owned by her GP. */
import { newItkId } from '../../../router/03-envelope/build-envelope.js';
import { CAST, PATIENT } from '../cast.js';
import type { PlanData } from '../plan-data.js';
import type { SceneClock } from '../scene-clock.js';

const { gp, community, hospice } = CAST;

export function anticipatoryCarePlan(clock: SceneClock): PlanData {
  return {
    planId: newItkId(),
    version: 1,
    planType: 'end-of-life',
    status: 'active',
    title: 'Anticipatory care plan',
    patient: PATIENT,
    owner: gp.address,
    careTeam: [gp.person, community.person, hospice.person],
    goals: [
      'Remain at home, comfortable and free of pain',
      'Her daughter Ruth is supported and knows whom to call',
    ],
    activities: [
      {
        description: 'Anticipatory medicines prescribed and kept in the home',
        responsible: gp.address,
        status: 'completed',
      },
      {
        description: 'District nurse visit twice a week',
        responsible: community.address,
        due: clock.date(3),
        status: 'planned',
      },
      {
        description: 'Hospice clinical nurse specialist review',
        responsible: hospice.address,
        due: clock.date(7),
        status: 'planned',
      },
    ],
    reviewDate: clock.date(28),
    consentToShare: true,
    lastUpdated: clock.iso(),
    author: gp.person,
  };
}
