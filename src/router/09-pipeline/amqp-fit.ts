/**
 * Does every value the router copies from a message into AMQP properties or headers fit AMQP's
 * limits (transport/amqp-limits.ts)? Checked before anything is delivered or indexed: a value
 * that does not fit is the message's failure (nack 1000), never a publish that fails and is
 * retried. Pure.
 */
import type { Envelope } from '../03-envelope/envelope.js';
import {
  HEADER_VALUE_MAX_BYTES,
  SHORTSTR_MAX_BYTES,
  tooLong,
} from '../02-transport/amqp-limits.js';

/** Why the message's values do not fit (the first problem), or undefined when they do. */
export function amqpMisfit(
  envelope: Envelope,
  interaction: string | undefined,
): string | undefined {
  const checks: [string, string | undefined, number][] = [
    // message_id and itk-tracking-id
    ['the tracking id (the AMQP message_id)', envelope.trackingId, SHORTSTR_MAX_BYTES],
    // type and itk-service
    ['the service (the AMQP type)', envelope.service, SHORTSTR_MAX_BYTES],
    ['the interaction (header itk-interaction)', interaction, HEADER_VALUE_MAX_BYTES],
    // itk-recipient of each delivery
    ...envelope.addresses.map((a, i): [string, string, number] => [
      `address ${i + 1} (header itk-recipient)`,
      a.uri,
      HEADER_VALUE_MAX_BYTES,
    ]),
    // itk-recipient of the router's own answers, sent to the senderAddress
    [
      'the senderAddress (header itk-recipient of the answers)',
      envelope.senderAddress?.uri,
      HEADER_VALUE_MAX_BYTES,
    ],
  ];
  for (const [what, value, limit] of checks) {
    const problem = value === undefined ? undefined : tooLong(what, value, limit);
    if (problem) return problem;
  }
  return undefined;
}
