/** RabbitMQ's rabbit_password_hashing_sha256, checked against a hash the broker itself made. */
import {
  checkRabbitPasswordHash,
  generatePassword,
  passwordVariables,
  knownPasswords,
  rabbitPasswordHash,
} from '../../../src/tools/provision/index.js';

// `printf 'correct horse battery staple' | rabbitmqctl add_user u`, then GET /api/users/u (3.10.8).
const BROKER_HASH = 'Flrh4P+zh4nVdvm4StfXWCHe70b/cqhLHRAHtKEEhsuE+Ehn';
const BROKER_PASSWORD = 'correct horse battery staple';

describe('rabbitPasswordHash', () => {
  test('reproduces the broker’s hash from its salt: base64(salt ‖ SHA-256(salt ‖ password))', () => {
    const salt = Buffer.from(BROKER_HASH, 'base64').subarray(0, 4);
    expect(rabbitPasswordHash(BROKER_PASSWORD, salt)).toBe(BROKER_HASH);
    expect(checkRabbitPasswordHash(BROKER_HASH, BROKER_PASSWORD)).toBe(true);
    expect(checkRabbitPasswordHash(BROKER_HASH, 'correct horse battery stapler')).toBe(false);
  });

  test('a random 4-byte salt each time; 36 bytes in all; UTF-8 passwords', () => {
    const a = rabbitPasswordHash('pässwörd');
    const b = rabbitPasswordHash('pässwörd');
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64')).toHaveLength(36);
    expect(checkRabbitPasswordHash(a, 'pässwörd')).toBe(true);
    expect(checkRabbitPasswordHash(a, 'passwort')).toBe(false);
    expect(checkRabbitPasswordHash('dG9vIHNob3J0', 'x')).toBe(false);
    expect(() => rabbitPasswordHash('x', Buffer.alloc(8))).toThrow(RangeError);
  });
});

describe('passwords', () => {
  test('generated passwords are long, random and shell- and URL-safe', () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  test('each user has its own variable, ITK_PASSWORD_<USER>, clashes numbered', () => {
    expect([...passwordVariables(['riverside-gp', 'ooh-111', 'a.b', 'a-b', 'A_B', 'a.b'])]).toEqual(
      [
        ['riverside-gp', 'ITK_PASSWORD_RIVERSIDE_GP'],
        ['ooh-111', 'ITK_PASSWORD_OOH_111'],
        ['a.b', 'ITK_PASSWORD_A_B'],
        ['a-b', 'ITK_PASSWORD_A_B_2'],
        ['A_B', 'ITK_PASSWORD_A_B_3'],
      ],
    );
  });

  test('env mode knows the variables that are set (and not empty); none knows nothing', () => {
    const env = { ITK_PASSWORD_GP: 'secret', ITK_PASSWORD_OOH: '' };
    expect([...knownPasswords('env', ['gp', 'ooh', 'other'], env)]).toEqual([['gp', 'secret']]);
    expect(knownPasswords('none', ['gp'], env).size).toBe(0);
    const generated = knownPasswords('generate', ['gp', 'ooh'], env);
    expect([...generated.keys()]).toEqual(['gp', 'ooh']);
    expect(generated.get('gp')).not.toBe('secret');
  });
});
