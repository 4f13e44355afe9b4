/**
 * Outage or the message's failure: decided by the error's `retryable` alone (RouterError), for
 * every code the transport and the store have. An outage is retried in place; anything else costs
 * the message a delivery attempt and ends in quarantine (docs/message-safety.md).
 */
import { RouterError } from '../../../src/router/00-common/router-error.js';
import { ConfigError } from '../../../src/router/01-config/config-error.js';
import {
  TRANSPORT_ERROR_CODES,
  TransportError,
  type TransportErrorCode,
} from '../../../src/router/02-transport/transport-error.js';
import { EnvelopeParseError } from '../../../src/router/04-validation/parse-envelope.js';
import {
  STORE_ERROR_CODES,
  StoreError,
  type StoreErrorCode,
} from '../../../src/router/08-store/store-error.js';
import { PipelineFailure } from '../../../src/router/09-pipeline/pipeline-failure.js';

const outage = (err: unknown) => PipelineFailure.of(err).outage;

describe('PipelineFailure.outage', () => {
  test.each<[TransportErrorCode, boolean]>([
    ['CLOSED', true],
    ['CHANNEL_CLOSED', true],
    ['PUBLISH_NACKED', false],
    ['CONFIRM_TIMEOUT', false],
    ['UNROUTABLE', false],
    ['INVALID_PROPERTIES', false],
  ])('transport %s: outage %s', (code, expected) => {
    expect(outage(new TransportError(code, 'x'))).toBe(expected);
  });

  test('every transport code is in the table above', () => {
    expect(Object.keys(TRANSPORT_ERROR_CODES).sort()).toEqual([
      'CHANNEL_CLOSED',
      'CLOSED',
      'CONFIRM_TIMEOUT',
      'INVALID_PROPERTIES',
      'PUBLISH_NACKED',
      'UNROUTABLE',
    ]);
  });

  test.each([403, 404, 406, 312])(
    'a channel the broker closed with the permanent reply code %i is the message failing',
    (replyCode) => {
      expect(outage(new TransportError('CHANNEL_CLOSED', 'x', { replyCode }))).toBe(false);
    },
  );

  test.each([320, 541, undefined])(
    'a channel closed with reply code %s is an outage',
    (replyCode) => {
      const err = new TransportError('CHANNEL_CLOSED', 'x', replyCode ? { replyCode } : {});
      expect(outage(err)).toBe(true);
    },
  );

  test.each(Object.keys(STORE_ERROR_CODES) as StoreErrorCode[])('store %s', (code) => {
    expect(outage(new StoreError(code, 'x'))).toBe(code === 'busy' || code === 'in-progress');
  });

  test('a store error marked retryable by the store is an outage whatever its code', () => {
    expect(outage(new StoreError('failed', 'connection reset', true))).toBe(true);
  });

  test.each([
    ['a refused configuration', new ConfigError([{ file: 'f', key: 'k', message: 'm' }])],
    ['an unreadable envelope', new EnvelopeParseError('not a DE')],
    ['a plain Error', new Error('boom')],
    ['a thrown string', 'boom'],
    ['an object claiming retryable without being a RouterError', { retryable: true }],
  ])('%s is the message failing, not an outage', (_, err) => {
    expect(outage(err)).toBe(false);
  });

  test('any RouterError says it itself', () => {
    expect(outage(new RouterError('SOMETHING_DOWN', 'x', true))).toBe(true);
    expect(outage(new RouterError('SOMETHING_WRONG', 'x'))).toBe(false);
  });

  test('a failure keeps what was known of the message and its cause', () => {
    const cause = new StoreError('busy', 'locked');
    const failure = new PipelineFailure(cause, { trackingId: 'T1', senderEndpointId: 'gp' });
    expect(failure).toMatchObject({ message: 'locked', cause, context: { trackingId: 'T1' } });
    expect(PipelineFailure.of(failure)).toBe(failure);
  });
});
