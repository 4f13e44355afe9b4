/**
 * What fits in an AMQP 0-9-1 message's properties and headers (docs/message-safety.md, "Trust
 * boundary"). A short string (`shortstr`: `type`, `message_id`, `app_id`…) is at most 255 bytes
 * of UTF-8, its length being one octet (AMQP 0-9-1 §4.2.5.3); amqplib throws a TypeError
 * before sending one that is longer. Header values are long strings (up to 4 GiB in the
 * protocol), but the whole property list must fit in amqplib's 64 KiB encoding buffer and in one
 * frame (RabbitMQ's `frame_max`, 128 KiB by default, 4 KiB at the least): the router holds each
 * header value it copies from a message to {@link HEADER_VALUE_MAX_BYTES}, so that its few
 * headers stay far below every limit. Pure.
 */

/** An AMQP short string: a length octet, so at most 255 bytes of UTF-8. */
export const SHORTSTR_MAX_BYTES = 255;

/** The router's limit for one header value copied from a message (its own choice, see above). */
export const HEADER_VALUE_MAX_BYTES = 1024;

/** The short-string properties of AMQP's basic class. */
const SHORTSTR_PROPERTIES = [
  'contentType',
  'contentEncoding',
  'correlationId',
  'replyTo',
  'expiration',
  'messageId',
  'type',
  'userId',
  'appId',
] as const;

const bytes = (value: string) => Buffer.byteLength(value, 'utf8');

/** Why `value` does not fit as `what` (`limit` bytes), or undefined when it fits. */
export function tooLong(what: string, value: string, limit: number): string | undefined {
  const n = bytes(value);
  return n > limit
    ? `${what} is ${n} bytes of UTF-8, more than the ${limit} AMQP allows`
    : undefined;
}

/**
 * Why these properties cannot be published (the first problem), or undefined when they can:
 * every short string at most 255 bytes, every string header value at most 1024 bytes.
 */
export function propertiesProblem(
  props: Partial<Record<(typeof SHORTSTR_PROPERTIES)[number], unknown>> & {
    readonly headers?: Readonly<Record<string, unknown>>;
  },
): string | undefined {
  for (const key of SHORTSTR_PROPERTIES) {
    const value = props[key];
    if (typeof value === 'string') {
      const problem = tooLong(`property ${key}`, value, SHORTSTR_MAX_BYTES);
      if (problem) return problem;
    }
  }
  for (const [key, value] of Object.entries(props.headers ?? {})) {
    const problem =
      tooLong(`header name ${key.slice(0, 40)}`, key, SHORTSTR_MAX_BYTES) ??
      (typeof value === 'string'
        ? tooLong(`header ${key}`, value, HEADER_VALUE_MAX_BYTES)
        : undefined);
    if (problem) return problem;
  }
  return undefined;
}

/** `value` cut to at most `limit` bytes of UTF-8 on a character boundary, marked with `…`. */
export function clip(value: string, limit: number): string {
  if (bytes(value) <= limit) return value;
  let out = '';
  let size = 3; // the ellipsis
  for (const ch of value) {
    size += bytes(ch);
    if (size > limit) break;
    out += ch;
  }
  return `${out}…`;
}
