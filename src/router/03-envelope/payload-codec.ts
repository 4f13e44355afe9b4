/**
 * Decoding base64 and gzip+base64 payloads, bounded so that a gzip bomb cannot inflate: the
 * caller passes what is left of the message's decoded-bytes budget (limits.maxDecodedBytes), and
 * inflating stops there.
 */
import zlib from 'node:zlib';

/** A decoded payload: its bytes only (the text is made from them where it is read, once). */
export type DecodedPayload =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly problem: string; readonly overBudget?: boolean };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const DEFAULT_MAX_DECODED_BYTES = 20 * 1024 * 1024;

/** `limit` names the whole message's cap in findings; `maxBytes` is what is left of it. */
export function decodePayload(
  content: string,
  encoding: 'base64' | 'compressed',
  maxBytes = DEFAULT_MAX_DECODED_BYTES,
  limit = maxBytes,
): DecodedPayload {
  const compact = content.replace(/[ \t\n\r]+/g, '');
  if (compact === '' || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    return { ok: false, problem: 'the payload is marked base64 but its text is not valid base64' };
  }
  const over = {
    ok: false as const,
    overBudget: true,
    problem: `the decoded payloads are over the limit of ${limit} decoded bytes per message (limits.maxDecodedBytes); decoding stopped here`,
  };
  if (maxBytes <= 0) return over;
  // base64 decodes to at most 3 bytes per 4 characters: refuse before allocating when over
  if ((compact.length / 4) * 3 - 2 > maxBytes) return over;
  let bytes = Buffer.from(compact, 'base64');
  if (bytes.length > maxBytes) return over;
  if (encoding === 'compressed') {
    try {
      bytes = zlib.gunzipSync(bytes, { maxOutputLength: Math.max(1, maxBytes) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return over;
      return { ok: false, problem: 'the payload is marked compressed but is not valid gzip data' };
    }
  }
  return { ok: true, bytes };
}

/** The inverse, for building envelopes. */
export function encodePayload(text: string, encoding: 'base64' | 'compressed'): string {
  const bytes = Buffer.from(text, 'utf8');
  return (encoding === 'compressed' ? zlib.gzipSync(bytes) : bytes).toString('base64');
}
