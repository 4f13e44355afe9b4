/**
 * Console passwords: scrypt (node:crypto), N = 2^15, r = 8, p = 1, a 16-byte salt, a 32-byte key,
 * stored as `scrypt$<N>$<r>$<p>$<salt base64>$<key base64>` so the cost can rise later without
 * breaking stored hashes. Checks compare in constant time; an unknown user costs the same.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
/** Passwords shorter than this are refused by `itk-router users add`. */
export const MIN_PASSWORD_LENGTH = 12;

const derive = (password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, { ...o, maxmem: 256 * o.N! * o.r! }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

const HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** Whether `stored` has the shape {@link hashPassword} writes (the users file is checked with it). */
export const isPasswordHash = (stored: string): boolean => {
  const m = HASH.exec(stored);
  if (!m) return false;
  const n = Number(m[1]);
  return (
    n >= 2 ** 14 && n <= 2 ** 20 && (n & (n - 1)) === 0 && Number(m[2]) <= 32 && Number(m[3]) <= 16
  );
};

/** A hash no password matches, to spend the same time on an unknown user. */
const DECOY = `scrypt$${COST.N}$${COST.r}$${COST.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_BYTES).toString('base64')}`;

/** Whether `password` matches `stored`; with no stored hash, spends the time and says no. */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
): Promise<boolean> {
  const m = HASH.exec(stored !== undefined && isPasswordHash(stored) ? stored : DECOY)!;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await derive(password, Buffer.from(m[4]!, 'base64'), {
    N: Number(m[1]),
    r: Number(m[2]),
    p: Number(m[3]),
  });
  return stored !== undefined && key.length === expected.length && timingSafeEqual(key, expected);
}
