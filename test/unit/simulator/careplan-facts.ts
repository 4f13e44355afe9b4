/** The care-plan facts of a message the simulator sends, read with the project's own reader. */
import { readCarePlanFacts } from '../../../src/router/03-envelope/careplan-payload.js';
import type { Outgoing } from '../../../src/tools/simulator/outgoing.js';
import { asDe } from './simulator-fixtures.js';

export function carePlanFacts(o: Outgoing) {
  const facts = readCarePlanFacts(asDe(o).root);
  if (!facts) throw new Error(`${o.kind} carries no care-plan payload`);
  return facts;
}
