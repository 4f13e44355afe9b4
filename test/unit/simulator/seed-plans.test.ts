/** Seeding the simulator's plan store from a folder of plan files (`--plans`). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPlans, PlanFileError, readPlanFile } from '../../../src/tools/simulator/seed-plans.js';
import { FIXTURES } from '../../support/fixture-files.js';
import { ADDR, useValidator } from './simulator-fixtures.js';

const v = useValidator();
const plans = path.join(FIXTURES, 'simulator', 'plans');

test('a CarePlanNotification DE and a bare CarePlan, read and validated', () => {
  const loaded = loadPlans(plans, v());
  expect(loaded.map((p) => [p.planId, p.version, p.planType, p.owner, p.sharedWith])).toEqual([
    ['8B3F6D2A-1E4C-4A7B-B5D9-3C2E1F0A9B87', 2, 'dementia', ADDR.community, []],
    ['2D7A4E19-6C3B-4F8A-9D1E-0B5C7A3F2E81', 1, 'falls', ADDR.community, [ADDR.gp, ADDR.hospice]],
  ]);
  for (const p of loaded)
    expect(p.xml).toMatch(/^<plan xmlns="urn:itk-router:careplan:v1">[\s\S]*<\/plan>$/);
});

test('a bare plan without a namespace is read into the care-plan namespace', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-sim-plans-'));
  try {
    const text = fs
      .readFileSync(path.join(plans, 'community-dementia-plan.xml'), 'utf8')
      .replace(' xmlns="urn:itk-router:careplan:v1"', '');
    fs.writeFileSync(path.join(dir, 'plan.xml'), text);
    expect(readPlanFile(path.join(dir, 'plan.xml'), v())).toMatchObject({
      version: 2,
      planType: 'dementia',
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a plan the validator refuses (unknown plan type) names the file and the finding', () => {
  expect(() => loadPlans(path.join(FIXTURES, 'simulator', 'bad-plans'), v())).toThrow(
    PlanFileError,
  );
  expect(() => loadPlans(path.join(FIXTURES, 'simulator', 'bad-plans'), v())).toThrow(
    /unknown-plan-type\.xml: invalid plan: .*gardening/,
  );
});

test.each([
  ['valid/careplan-request-by-planid.xml', /not a CarePlanNotification/],
  ['broken/de0003-address-not-itk-format.xml', /invalid: DE0003/],
  ['broken/xml-wellformed-truncated.xml', /not well-formed/],
  ['broken/safe-doctype-xxe-external-entity.xml', /DOCTYPE/i],
])('%s is refused', (file, message) => {
  expect(() => readPlanFile(path.join(FIXTURES, file), v())).toThrow(message);
});

test('a missing folder', () => {
  expect(() => loadPlans('/nonexistent', v())).toThrow(/cannot read the plans folder/);
});
