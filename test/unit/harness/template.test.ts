/** Placeholders in pack messages and step values (src/tools/harness/template.ts). */
import { isValidNhsNumber } from '../../../src/router/04-validation/nhs-number.js';
import {
  expand,
  newNhsNumber,
  TemplateError,
  TemplateScope,
  withDummies,
} from '../../../src/tools/harness/template.js';

const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

describe('expand', () => {
  const scope = new TemplateScope({
    ep: { gp: { address: 'urn:nhs-uk:addressing:ods:A83001', id: 'riverside-gp' } },
    captured: { version: 2, title: 'Tom & Jerry <"care">' },
    with: {},
  });

  test('dotted names, numbers as text', () => {
    expect(expand('{{ep.gp.address}} v{{ captured.version }}', scope)).toBe(
      'urn:nhs-uk:addressing:ods:A83001 v2',
    );
  });

  test('a fallback name (??) and a literal default (|)', () => {
    expect(expand('{{with.sender ?? ep.gp.address}}', scope)).toBe(
      'urn:nhs-uk:addressing:ods:A83001',
    );
    expect(expand('{{with.planType|falls}}', scope)).toBe('falls');
    expect(expand('{{with.a ?? with.b|none}}', scope)).toBe('none');
  });

  test('values are XML-escaped for message templates, and only then', () => {
    expect(expand('<t>{{captured.title}}</t>', scope, { xml: true })).toBe(
      '<t>Tom &amp; Jerry &lt;&quot;care&quot;&gt;</t>',
    );
    expect(expand('{{captured.title}}', scope)).toBe('Tom & Jerry <"care">');
  });

  test('an unknown placeholder is an error naming every one', () => {
    expect(() => expand('{{nope}} and {{ep.gp.nope}} and {{nope}}', scope)).toThrow(TemplateError);
    expect(() => expand('{{nope}} and {{ep.gp.nope}}', scope)).toThrow(
      'no value for {{nope}}, {{ep.gp.nope}}',
    );
  });

  test('objects are not values', () => {
    expect(() => expand('{{ep.gp}}', scope)).toThrow(TemplateError);
  });

  test('generated values: newUuid fresh each time, uuid.<name> and nhsNumber.<name> fixed per scope', () => {
    const a = expand('{{newUuid}}', scope);
    const b = expand('{{newUuid}}', scope);
    expect(a).toMatch(UUID);
    expect(a).not.toBe(b);
    expect(expand('{{uuid.plan}}', scope)).toBe(expand('{{uuid.plan}}', scope));
    expect(expand('{{uuid.plan}}', scope)).not.toBe(expand('{{uuid.other}}', scope));
    const child = scope.with({ trackingId: 'T' });
    expect(expand('{{uuid.plan}} {{trackingId}}', child)).toBe(
      `${expand('{{uuid.plan}}', scope)} T`,
    );
    expect(isValidNhsNumber(expand('{{nhsNumber.patient}}', scope))).toBe(true);
    expect(new TemplateScope({}).lookup('uuid.plan')).not.toBe(scope.lookup('uuid.plan'));
  });

  test('now and today in UTC', () => {
    expect(expand('{{now}}', scope)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(expand('{{today}}', scope)).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  test('withDummies replaces every placeholder, for syntax checks', () => {
    expect(withDummies("@a = '{{x.y}}' and {{z ?? w|d}}")).toBe("@a = 'x' and x");
  });
});

test('newNhsNumber: 10 digits in the 999 test range with a valid check digit', () => {
  for (let i = 0; i < 200; i++) {
    const n = newNhsNumber();
    expect(n).toMatch(/^999\d{7}$/);
    expect(isValidNhsNumber(n)).toBe(true);
  }
});
