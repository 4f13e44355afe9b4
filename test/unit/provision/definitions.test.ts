/** The definitions document: RabbitMQ's format, hashed passwords, no tags, permissions per vhost. */
import {
  checkRabbitPasswordHash,
  planProvisioning,
  renderDefinitions,
  renderPlan,
} from '../../../src/tools/provision/index.js';

const plan = planProvisioning({
  endpoints: [{ id: 'gp', name: 'A GP', identities: ['gp-user'] }],
  prefix: 'itk',
  vhost: 'care',
  routerUser: 'itk-router',
});

test('users with a known password get its salted SHA-256 hash; the others none', () => {
  const definitions = renderDefinitions(plan, { passwords: new Map([['gp-user', 's3cret']]) });
  expect(definitions.users).toEqual([
    { name: 'itk-router', tags: [] },
    {
      name: 'gp-user',
      password_hash: expect.any(String),
      hashing_algorithm: 'rabbit_password_hashing_sha256',
      tags: [],
    },
  ]);
  expect(checkRabbitPasswordHash(definitions.users[1]!.password_hash!, 's3cret')).toBe(true);
  expect(definitions.vhosts).toEqual([{ name: 'care' }]);
  expect(definitions.permissions).toEqual([
    { user: 'itk-router', vhost: 'care', ...plan.accounts[0]!.permissions },
    {
      user: 'gp-user',
      vhost: 'care',
      configure: '^$',
      write: '^itk\\.inbound$',
      read: '^itk\\.endpoint\\.gp$',
    },
  ]);
});

test('the hash function can be given (a fixed salt for reproducible files)', () => {
  const definitions = renderDefinitions(plan, {
    passwords: new Map([['itk-router', 'x']]),
    hash: (password) => `hash-of-${password}`,
  });
  expect(definitions.users[0]).toMatchObject({ password_hash: 'hash-of-x' });
});

test('renderPlan prints the definitions as JSON, clear passwords nowhere in it', () => {
  const text = renderPlan(plan, {
    format: 'definitions',
    mode: 'generate',
    passwords: new Map([
      ['itk-router', 'router-clear-text'],
      ['gp-user', 'gp-clear-text'],
    ]),
  });
  expect(text.endsWith('}\n')).toBe(true);
  expect(text).not.toMatch(/clear-text/);
  const parsed = JSON.parse(text) as { users: { password_hash: string }[] };
  expect(
    parsed.users.map((u) => checkRabbitPasswordHash(u.password_hash, 'gp-clear-text')),
  ).toEqual([false, true]);
});
