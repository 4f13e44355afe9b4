/** 10:20 Discover: 111 asks the router's locator which care plans the patient has. */
import { CAST, PATIENT } from '../cast.js';
import * as out from '../outgoing.js';
import { arrives, OOH, type Scene } from './scene.js';

export const locate: Scene = {
  time: '10:20',
  title: '111 asks the locator whether Jane has a care plan',
  story:
    "Jane's daughter calls 111: her mother is in pain and breathless. The 111 system asks the " +
    "router's locator (LocateCarePlans) which care plans Jane has; the router answers from its " +
    'index itself.',
  expect: () => [
    arrives(
      'router',
      OOH,
      'LocateCarePlansResponse',
      "the locator's answer listing the plan at version 1",
      (a) => a.facts?.entries.length === 1 && a.facts.entries[0]?.version === 1,
    ),
  ],
  async play(day) {
    await day.systems.ooh.send(out.locate(CAST.ooh, day.locator, PATIENT.nhsNumber));
  },
};
