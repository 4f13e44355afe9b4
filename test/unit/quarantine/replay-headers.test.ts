/** The replay headers and the one rule by which the router trusts them (pure). */
import {
  brokerUserOf,
  headerText,
  REPLAY_HEADER,
  replayHeaders,
  trustedReplay,
} from '../../../src/router/09-pipeline/replay-trust.js';
import type { InboundMessage } from '../../../src/router/02-transport/inbound-message.js';

const ROUTER = { inboundExchange: 'itk.inbound', brokerUser: 'itk-router' };

const headers = replayHeaders({
  replayOf: '3f9a2c1b7e',
  by: 'alice',
  reason: 'routes fixed',
  user: 'riverside-gp',
  ignoreDuplicate: false,
});

function message(over: {
  exchange?: string;
  userId?: string | undefined;
  headers?: Record<string, unknown>;
  messageId?: string;
}): InboundMessage {
  return {
    body: Buffer.from('<x/>'),
    properties: {
      userId: 'userId' in over ? over.userId : 'itk-router',
      messageId: over.messageId ?? '0b6e4c0e-9d4f-4b61-9a39-5c7f6f0a1d2e',
      type: undefined,
      appId: undefined,
      contentType: 'application/xml',
      contentEncoding: undefined,
      correlationId: undefined,
      replyTo: undefined,
      deliveryMode: 2,
      priority: undefined,
      expiration: undefined,
      timestamp: undefined,
      headers: over.headers ?? headers,
    },
    redelivered: false,
    deliveryTag: 1,
    exchange: over.exchange ?? '',
    routingKey: 'itk.router.inbound',
  };
}

describe('replayHeaders', () => {
  test('names the entry, who, why, the original user and the duplicate override', () => {
    expect(headers).toEqual({
      'itk-replay-of': '3f9a2c1b7e',
      'itk-replayed-by': 'alice',
      'itk-replay-reason': 'routes fixed',
      'itk-replay-user': 'riverside-gp',
      'itk-replay-ignore-duplicate': 'false',
    });
  });
});

describe('trustedReplay', () => {
  test("trusts a message published by the router's own user through the default exchange", () => {
    expect(trustedReplay(message({}), ROUTER)).toEqual({
      user: 'riverside-gp',
      lineage: {
        replayOf: '3f9a2c1b7e',
        by: 'alice',
        reason: 'routes fixed',
        ignoreDuplicate: false,
        replayId: '0b6e4c0e-9d4f-4b61-9a39-5c7f6f0a1d2e',
      },
    });
  });

  test('ignores the headers when the message came through the inbound exchange', () => {
    expect(trustedReplay(message({ exchange: 'itk.inbound' }), ROUTER)).toBeUndefined();
  });

  test("ignores them from any other broker user, or none, or when the router's user is unknown", () => {
    expect(trustedReplay(message({ userId: 'riverside-gp' }), ROUTER)).toBeUndefined();
    expect(trustedReplay(message({ userId: undefined }), ROUTER)).toBeUndefined();
    expect(
      trustedReplay(message({}), { inboundExchange: 'itk.inbound', brokerUser: undefined }),
    ).toBeUndefined();
  });

  test('is no replay without an original user', () => {
    const rest: Record<string, string> = { ...headers };
    delete rest[REPLAY_HEADER.user];
    expect(trustedReplay(message({ headers: rest }), ROUTER)).toBeUndefined();
    expect(
      trustedReplay(message({ headers: { ...headers, [REPLAY_HEADER.user]: '  ' } }), ROUTER),
    ).toBeUndefined();
  });

  test('a replay of a web-service call names the end point the gateway proved instead of a user', () => {
    const gateway = replayHeaders({
      replayOf: '3f9a2c1b7e',
      by: 'alice',
      reason: 'routes fixed',
      gatewayEndpoint: 'westfield-gp',
      ignoreDuplicate: false,
    });
    expect(gateway).toEqual({
      'itk-replay-of': '3f9a2c1b7e',
      'itk-replayed-by': 'alice',
      'itk-replay-reason': 'routes fixed',
      'itk-replay-gateway-endpoint': 'westfield-gp',
      'itk-replay-ignore-duplicate': 'false',
    });
    expect(trustedReplay(message({ headers: gateway }), ROUTER)).toEqual({
      gatewayEndpoint: 'westfield-gp',
      lineage: expect.objectContaining({ replayOf: '3f9a2c1b7e', by: 'alice' }),
    });
    // by the same rule as any replay: not through itk.inbound, not from another user
    expect(
      trustedReplay(message({ headers: gateway, exchange: 'itk.inbound' }), ROUTER),
    ).toBeUndefined();
    expect(
      trustedReplay(message({ headers: gateway, userId: 'riverside-gp' }), ROUTER),
    ).toBeUndefined();
  });

  test('a replay naming both a user and a gateway end point is no replay', () => {
    expect(
      trustedReplay(
        message({ headers: { ...headers, [REPLAY_HEADER.gatewayEndpoint]: 'westfield-gp' } }),
        ROUTER,
      ),
    ).toBeUndefined();
  });

  test('reads byte-array headers, the override, and defaults what is missing', () => {
    const replay = trustedReplay(
      message({
        headers: {
          [REPLAY_HEADER.user]: Buffer.from('riverside-gp'),
          [REPLAY_HEADER.ignoreDuplicate]: 'TRUE',
        },
        messageId: 'an id, (with) spaces',
      }),
      ROUTER,
    );
    expect(replay).toEqual({
      user: 'riverside-gp',
      lineage: {
        replayOf: 'unknown',
        by: 'itk-router',
        reason: 'no reason given',
        ignoreDuplicate: true,
        replayId: 'an_id___with__spaces',
      },
    });
  });
});

describe('brokerUserOf', () => {
  test("the URL's user, decoded; amqplib's guest when it names none", () => {
    expect(brokerUserOf('amqp://itk-router:secret@broker:5672/itk')).toBe('itk-router');
    expect(brokerUserOf('amqp://ops%40site:x@broker/')).toBe('ops@site');
    expect(brokerUserOf('amqp://broker:5672/')).toBe('guest');
  });
});

describe('headerText', () => {
  test('strings, byte arrays, numbers and booleans; nothing else', () => {
    expect(headerText('a')).toBe('a');
    expect(headerText(Buffer.from('b'))).toBe('b');
    expect(headerText(3)).toBe('3');
    expect(headerText(true)).toBe('true');
    expect(headerText({ a: 1 })).toBeUndefined();
    expect(headerText(undefined)).toBeUndefined();
  });
});
