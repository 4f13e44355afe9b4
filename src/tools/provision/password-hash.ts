/**
 * RabbitMQ's `rabbit_password_hashing_sha256` (its default): a 4-byte random salt, then
 * SHA-256(salt ‖ UTF-8 password), stored as base64(salt ‖ digest). This is the `password_hash` of
 * a user in a definitions file, with `hashing_algorithm: rabbit_password_hashing_sha256`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const HASHING_ALGORITHM = 'rabbit_password_hashing_sha256';

const SALT_BYTES = 4;

/** The `password_hash` of `password`; `salt` (4 bytes) is random unless given (tests). */
export function rabbitPasswordHash(
  password: string,
  salt: Buffer = randomBytes(SALT_BYTES),
): string {
  if (salt.length !== SALT_BYTES) {
    throw new RangeError(`the salt must be ${SALT_BYTES} bytes, got ${salt.length}`);
  }
  const digest = createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/** Whether `hash` (a `password_hash` of this algorithm) is the hash of `password`. */
export function checkRabbitPasswordHash(hash: string, password: string): boolean {
  const bytes = Buffer.from(hash, 'base64');
  if (bytes.length !== SALT_BYTES + 32) return false;
  const expected = Buffer.from(
    rabbitPasswordHash(password, bytes.subarray(0, SALT_BYTES)),
    'base64',
  );
  return timingSafeEqual(bytes, expected);
}
