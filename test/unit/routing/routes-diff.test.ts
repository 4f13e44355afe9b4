/** diffRoutes: what a changed routes folder changes, as `check --diff` and reload logs print it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRoutes } from '../../../src/router/01-config/index.js';
import { diffRoutes, formatDiff, isEmptyDiff } from '../../../src/router/05-routing/routes-diff.js';

const stock = fileURLToPath(new URL('../../../routes', import.meta.url));

function changedCopy(edit: (files: Record<string, string>) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-routes-'));
  const files: Record<string, string> = {};
  for (const f of fs.readdirSync(stock)) files[f] = fs.readFileSync(path.join(stock, f), 'utf8');
  edit(files);
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

test('the same routes in another folder: no changes', () => {
  const d = diffRoutes(loadRoutes(stock), loadRoutes(changedCopy(() => undefined)));
  expect(isEmptyDiff(d)).toBe(true);
  expect(formatDiff(d)).toBe('no changes\n');
});

test('an end point added, one changed, a route removed, a plan type added', () => {
  const dir = changedCopy((f) => {
    f['endpoints.yaml'] =
      f['endpoints.yaml']!.replace('name: NWAS 111 and out-of-hours', 'name: NWAS 111') +
      '\n  riverside-social-care:\n    name: Riverside Social Care\n    addresses: [urn:nhs-uk:addressing:ods:SC001]\n    identities: [riverside-social-care]\n';
    f['routes.yaml'] = f['routes.yaml']!.replace(/\n {2}- name: withdrawn-service[\s\S]*$/, '\n');
    f['careplans.yaml'] = f['careplans.yaml']!.replace(
      '    - social-care\n',
      '    - social-care\n    - frailty\n',
    );
  });
  const d = diffRoutes(loadRoutes(stock), loadRoutes(dir));
  expect(d.endpoints).toEqual({
    added: ['riverside-social-care'],
    removed: [],
    changed: ['ooh-111'],
  });
  expect(d.routes).toEqual({ added: [], removed: ['withdrawn-service'], changed: [] });
  expect(d.planTypes).toEqual({ added: ['frailty'], removed: [] });
  expect(formatDiff(d)).toBe(
    '+ end point riverside-social-care\n~ end point ooh-111\n- route withdrawn-service\n+ plan type frailty\n',
  );
});
