/** Issue 12, finding 4: what fits AMQP's properties and headers (pure). */
import fc from 'fast-check';
import {
  clip,
  HEADER_VALUE_MAX_BYTES,
  propertiesProblem,
  SHORTSTR_MAX_BYTES,
} from '../../../src/router/02-transport/amqp-limits.js';
import { amqpMisfit } from '../../../src/router/09-pipeline/amqp-fit.js';
import { parseEnvelope } from '../../../src/router/04-validation/parse-envelope.js';
import { fixture } from '../../support/fixture-files.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('propertiesProblem', () => {
  test.each([
    ['type', 'a'.repeat(255), undefined],
    ['type', 'a'.repeat(256), /property type is 256 bytes/],
    ['messageId', 'é'.repeat(128), /property messageId is 256 bytes/], // 128 characters
    ['appId', '€'.repeat(85), undefined], // 255 bytes
    ['userId', '€'.repeat(86), /property userId is 258 bytes/],
  ])('%s of %j…', (key, value, problem) => {
    const found = propertiesProblem({ [key]: value });
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  test('header values: 1024 bytes fit, 1025 do not; numbers and the like are not strings', () => {
    expect(propertiesProblem({ headers: { 'itk-service': 'x'.repeat(1024), n: 7 } })).toBe(
      undefined,
    );
    expect(propertiesProblem({ headers: { 'itk-recipient': 'x'.repeat(1023) + 'é' } })).toMatch(
      /header itk-recipient is 1025 bytes/,
    );
    expect(propertiesProblem({ headers: { ['k'.repeat(256)]: 'v' } })).toMatch(/header name/);
  });
});

describe('clip', () => {
  test('never more than the limit, on a character boundary, marked when cut', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 600 }),
        fc.integer({ min: 8, max: 300 }),
        (s, limit) => {
          const out = clip(s, limit);
          expect(bytes(out)).toBeLessThanOrEqual(Math.max(limit, bytes(s) <= limit ? bytes(s) : 0));
          if (bytes(s) <= limit) expect(out).toBe(s);
          else {
            expect(out.endsWith('…')).toBe(true);
            expect(s.startsWith(out.slice(0, -1))).toBe(true);
          }
        },
      ),
    );
  });
});

describe('amqpMisfit (what the router copies from a DE)', () => {
  const e = parseEnvelope(fixture('valid/cda-document-noncoded.xml'));
  test('a stock message fits', () => {
    expect(amqpMisfit(e, 'urn:nhs-itk:interaction:x')).toBeUndefined();
  });
  test.each([
    [
      { ...e, service: 's'.repeat(SHORTSTR_MAX_BYTES + 1) },
      undefined,
      /the service \(the AMQP type\) is 256/,
    ],
    [
      { ...e, trackingId: 'T'.repeat(300) },
      undefined,
      /the tracking id \(the AMQP message_id\) is 300/,
    ],
    [
      e,
      'i'.repeat(HEADER_VALUE_MAX_BYTES + 1),
      /the interaction \(header itk-interaction\) is 1025/,
    ],
    [
      { ...e, addresses: [...e.addresses, { uri: 'a'.repeat(2000) }] },
      undefined,
      /address 2 \(header itk-recipient\)/,
    ],
    [{ ...e, senderAddress: { uri: 'b'.repeat(1025) } }, undefined, /the senderAddress/],
  ])('%#: refused naming the value', (env, interaction, why) => {
    expect(amqpMisfit(env as typeof e, interaction)).toMatch(why);
  });
});
