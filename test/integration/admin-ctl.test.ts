/**
 * The rabbitmqctl adapter of the demo and the harness (`src/tools/sandbox/admin-ctl.ts`) on the real
 * broker: a password is handed over on standard input, so one that starts with `-` (a random
 * base64url password does, one time in 64) or holds quotes and spaces is the password the user
 * then logs in with, not options rabbitmqctl refuses. Needs rabbitmqctl on this machine, as the
 * broker set-up of `.ci/run` has it.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { ctlAdmin } from '../../src/tools/sandbox/admin-ctl.js';
import { amqpUrl } from '../support/broker-env.js';

const admin = ctlAdmin();
const suffix = randomUUID().slice(0, 8);
const vhost = `itk-test-admin-ctl-${suffix}`;
const user = `itk-test-admin-ctl-${suffix}`;

beforeAll(async () => {
  await admin.addVhost(vhost);
});

afterAll(async () => {
  await admin.deleteUser(user);
  await admin.deleteVhost(vhost);
});

test.each([
  ['starts with a dash', '-tRXBeyOkHU28DINFpVEi46mq5EfmSa6'],
  ['holds quotes, a space and a dollar', `o'brien "$HOME" x`],
])('a user whose password %s logs in with it', async (_, password) => {
  await admin.deleteUser(user);
  await admin.addUser(user, password);
  await admin.setPermissions(vhost, user, { configure: '', write: '', read: '' });
  const connection = await connect(amqpUrl(vhost, user, password));
  await connection.close();
  await expect(connect(amqpUrl(vhost, user, 'not-the-password'))).rejects.toThrow(
    /ACCESS_REFUSED|403/,
  );
});

test('a refusal names the command and says what rabbitmqctl printed', async () => {
  await admin.deleteUser(user);
  await admin.addUser(user, 'x');
  await expect(admin.addUser(user, 'x')).rejects.toThrow(
    /^rabbitmqctl add_user: .*already exists/s,
  );
});

test('deleting what is already gone is not an error', async () => {
  await admin.deleteUser(user);
  await expect(admin.deleteUser(user)).resolves.toBeUndefined();
});
