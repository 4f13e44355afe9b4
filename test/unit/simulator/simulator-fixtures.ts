/**
 * Shared set-up of the simulator's unit tests: the project's validator (compiled once per file),
 * real fixture messages read as the simulator receives them, the simulated end points, and
 * readers of what the simulator sends.
 */
import {
  emptyState,
  type HeldPlan,
  type SimulatorState,
} from '../../../src/tools/simulator/plan-store.js';
import { readReceived, type Received } from '../../../src/tools/simulator/received.js';
import { respond, type Response } from '../../../src/tools/simulator/respond.js';
import type { FaultRule } from '../../../src/tools/simulator/faults.js';
import type { Outgoing } from '../../../src/tools/simulator/outgoing.js';
import { readPlanFile } from '../../../src/tools/simulator/seed-plans.js';
import type { SimulatorSelf } from '../../../src/tools/simulator/self.js';
import {
  createValidator,
  type Validator,
} from '../../../src/router/04-validation/create-validator.js';
import { fixture } from '../../support/fixture-files.js';
import { readCarePlanResponse, readDe, readInfAck } from '../../support/careplan-messages.js';
import path from 'node:path';
import { FIXTURES } from '../../support/fixture-files.js';
import { STOCK_PLAN_TYPES } from '../../support/plan-types.js';

export const ADDR = {
  gp: 'urn:nhs-uk:addressing:ods:A83001',
  community: 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY',
  hospice: 'urn:nhs-uk:addressing:ods:HOSP01',
  ooh: 'urn:nhs-uk:addressing:ods:NWAS111',
} as const;

export const GP: SimulatorSelf = { endpointId: 'riverside-gp', addresses: [ADDR.gp] };
export const COMMUNITY: SimulatorSelf = {
  endpointId: 'riverside-community',
  addresses: ['urn:nhs-uk:addressing:ods:RDE01:*'],
};

export const PLAN_TYPES = STOCK_PLAN_TYPES;

export const AT = new Date('2026-12-02T09:30:00Z');

/** Registers a validator for the test file (beforeAll / afterAll); use `v()` inside tests. */
export function useValidator(): () => Validator {
  let validator: Validator | undefined;
  beforeAll(() => {
    validator = createValidator({ planTypes: PLAN_TYPES, payloadContent: true });
  });
  afterAll(() => validator?.dispose());
  return () => {
    if (!validator) throw new Error('useValidator: beforeAll has not run');
    return validator;
  };
}

/** A fixture (or XML text) as the simulator receives it. */
export function receive(
  validator: Validator,
  file: string,
  edit: (xml: string) => string = (x) => x,
): Received {
  const xml = edit(fixture(file).toString('utf8'));
  return readReceived(Buffer.from(xml, 'utf8'), validator);
}

export const seedPlan = (validator: Validator, file: string): HeldPlan =>
  readPlanFile(path.join(FIXTURES, file), validator);

export function run(
  msg: Received,
  self: SimulatorSelf,
  state: SimulatorState = emptyState(),
  faults: readonly FaultRule[] = [],
): Response {
  return respond(msg, state, faults, { self, now: AT });
}

export const kinds = (r: Response) => r.outgoing.map((o) => o.kind);

/** Every message the simulator sends must pass the project's own validator. */
export function expectValid(validator: Validator, o: Outgoing): void {
  const v = validator.validate(Buffer.from(o.xml, 'utf8'));
  expect(v.findings.filter((f) => f.severity === 'error')).toEqual([]);
}

export const asInfAck = (o: Outgoing) => readInfAck(Buffer.from(o.xml, 'utf8'));
export const asDe = (o: Outgoing) => readDe(Buffer.from(o.xml, 'utf8'));
export const asResponse = (o: Outgoing) => readCarePlanResponse(Buffer.from(o.xml, 'utf8'));

/** The business ack's typeCode, acknowledged tracking id and detail text. */
export function asBusinessAck(o: Outgoing) {
  const xml = o.xml;
  return {
    typeCode: /acknowledgedBy3 typeCode="(A[AER])"/.exec(xml)?.[1],
    ref: /<conveyingTransmission><id root="([^"]+)"/.exec(xml.replace(/\s+</g, '<'))?.[1],
    text: /<text>([^<]*)<\/text>/.exec(xml)?.[1],
  };
}

/** `xml` with one handling spec's value set (the spec added when absent). */
export function withSpec(key: 'infackrequested' | 'ackrequested', value: string) {
  return (xml: string): string => {
    const full = `urn:nhs-itk:ns:201005:${key}`;
    const existing = new RegExp(`(key="${full}" value=")[^"]*(")`);
    if (existing.test(xml)) return xml.replace(existing, `$1${value}$2`);
    const spec = `<itk:spec key="${full}" value="${value}"/>`;
    return xml.includes('<itk:handlingSpecification>')
      ? xml.replace('<itk:handlingSpecification>', `<itk:handlingSpecification>${spec}`)
      : xml.replace(
          /(<itk:senderAddress [^>]*\/>)/,
          `$1<itk:handlingSpecification>${spec}</itk:handlingSpecification>`,
        );
  };
}
