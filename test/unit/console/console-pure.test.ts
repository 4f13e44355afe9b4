/**
 * The console's pure pieces: HTML escaping (a hostile value never becomes markup), the body's
 * layout (only the layout changes), NHS numbers masked for viewers, roles' order, the sign-in
 * throttle's steps, the search cursor, and the users file's refusals.
 */
import {
  decodeCursor,
  encodeCursor,
  percentile,
} from '../../../src/router/08-store/message-queries.js';
import { html } from '../../../src/router/10-ops/console/pages/html.js';
import { prettyXml } from '../../../src/router/10-ops/console/pages/pretty-xml.js';
import { forRole, maskNhsNumbers } from '../../../src/router/10-ops/console/redact.js';
import { allows } from '../../../src/router/10-ops/console/roles.js';
import {
  REFUSE_FROM,
  SignInThrottle,
  SLOW_FROM,
  STEP_MS,
} from '../../../src/router/10-ops/console/sign-in-throttle.js';
import { parseUsers, UsersFileError } from '../../../src/router/10-ops/console/users-file.js';

test('escapes every interpolated value, keeps HTML built with html``', () => {
  const hostile = `"><script>alert('x')</script>&`;
  const bold = html`<b>${'ok'}</b>`;
  const cell = html`<td title="${hostile}">${hostile}</td>`;
  const out = html`${cell}${bold}`.text;
  expect(out).toBe(
    '<td title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</td><b>ok</b>',
  );
  expect(html`${[html`<i>a</i>`, 'b<', null, undefined, false]}`.text).toBe('<i>a</i>b&lt;');
});

test('lays a body out one element per line, text and attributes unchanged, entities left as they are', () => {
  const xml =
    '<?xml version="1.0"?><a x="1"><b>text &amp; more</b><c/><!-- note --><d><e>1</e></d></a>';
  expect(prettyXml(xml)).toBe(
    [
      '<?xml version="1.0"?>',
      '<a x="1">',
      '  <b>text &amp; more</b>',
      '  <c/>',
      '  <!-- note -->',
      '  <d>',
      '    <e>1</e>',
      '  </d>',
      '</a>',
    ].join('\n'),
  );
  expect(prettyXml('<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')).toContain('&e;');
});

test('masks ten-digit runs (NHS numbers, spaced or not) for viewers only', () => {
  expect(maskNhsNumbers('NHS number 943 476 5919 failed; 9434765919; tracking 12345')).toBe(
    'NHS number •••••••••• failed; ••••••••••; tracking 12345',
  );
  expect(forRole('viewer', 'plan of 9434765919')).toBe('plan of ••••••••••');
  expect(forRole('operator', 'plan of 9434765919')).toBe('plan of 9434765919');
  expect(forRole('viewer', null)).toBeNull();
});

test('each role may do what the one before it may, and open routes are anyone’s', () => {
  expect([
    allows('viewer', 'viewer'),
    allows('viewer', 'operator'),
    allows('viewer', 'admin'),
  ]).toEqual([true, false, false]);
  expect([
    allows('operator', 'viewer'),
    allows('operator', 'operator'),
    allows('operator', 'admin'),
  ]).toEqual([true, true, false]);
  expect([allows('admin', 'admin'), allows('viewer', 'open')]).toEqual([true, true]);
});

test('the throttle holds answers back from the 5th failure, refuses from the 10th, forgets after 15 minutes or a success', () => {
  let t = 0;
  const throttle = new SignInThrottle(() => new Date(t));
  const delays: number[] = [];
  for (let i = 0; i < REFUSE_FROM; i++) {
    const v = throttle.verdict('10.0.0.1');
    delays.push(v.allowed ? v.delayMs : -1);
    throttle.failed('10.0.0.1');
  }
  expect(delays.slice(0, SLOW_FROM - 1)).toEqual([0, 0, 0, 0]);
  expect(delays.slice(SLOW_FROM - 1)).toEqual([1, 2, 3, 4, 5, 6].map((n) => n * STEP_MS));
  expect(throttle.verdict('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 900 });
  expect(throttle.verdict('10.0.0.2')).toEqual({ allowed: true, delayMs: 0 });
  t += 15 * 60_000 + 1;
  expect(throttle.verdict('10.0.0.1')).toEqual({ allowed: true, delayMs: 0 });
  throttle.failed('10.0.0.3');
  throttle.succeeded('10.0.0.3');
  expect(throttle.verdict('10.0.0.3')).toEqual({ allowed: true, delayMs: 0 });
});

test('a cursor round-trips, and one not made here is refused', () => {
  const p = {
    receivedAt: new Date('2026-12-08T09:00:00.123Z'),
    id: '0190f000-0000-7000-8000-000000000000',
  };
  expect(decodeCursor(encodeCursor(p))).toEqual(p);
  for (const bad of [
    '',
    'xyz',
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('["not a time","0190f000-0000-7000-8000-000000000000"]').toString('base64url'),
    Buffer.from('["2026-12-08T09:00:00Z","1 OR 1=1"]').toString('base64url'),
  ])
    expect(decodeCursor(bad)).toBeUndefined();
  expect([percentile([1, 2, 3, 4], 50), percentile([1, 2, 3, 4], 99), percentile([], 50)]).toEqual([
    2,
    4,
    undefined,
  ]);
});

test('the users file is refused with the key that is wrong', () => {
  const hash = `scrypt$32768$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
  const refusal = (data: unknown) => {
    try {
      parseUsers(data, 'users.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(UsersFileError);
      return (err as Error).message;
    }
    return 'accepted';
  };
  expect(refusal({ users: [{ name: 'ada', role: 'admin', password: hash }] })).toBe('accepted');
  expect(refusal({ users: [{ name: 'ada', role: 'root', password: hash }] })).toBe(
    'users.yaml: users[0].role: must be one of viewer, operator, admin',
  );
  expect(refusal({ users: [{ name: 'ada', role: 'admin', password: 'plain text' }] })).toMatch(
    /users\[0\]\.password: must be a scrypt hash/,
  );
  expect(
    refusal({
      users: [
        { name: 'ada', role: 'admin', password: hash },
        { name: 'ada', role: 'viewer', password: hash },
      ],
    }),
  ).toMatch(/users\[1\]\.name: "ada" is listed twice/);
  expect(refusal({ users: [{ name: 'ada', role: 'admin', password: hash, admin: true }] })).toMatch(
    /users\[0\]\.admin: unknown key/,
  );
  expect(
    refusal({
      users: [
        {
          name: 'ada',
          role: 'admin',
          password: hash,
          tokens: [{ id: 'x', hash: 'y', created: 'z', expires: 'w' }],
        },
      ],
    }),
  ).toMatch(/users\[0\]\.tokens\[0\]\.id: must be 12 hex digits/);
});
