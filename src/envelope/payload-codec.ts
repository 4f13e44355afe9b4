/** Decoding base64 and gzip+base64 payloads, bounded so that a gzip bomb cannot inflate. */
import zlib from 'node:zlib';

export type DecodedPayload =
  | { readonly ok: true; readonly text: string; readonly bytes: Buffer }
  | { readonly ok: false; readonly text?: undefined; readonly problem: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const DEFAULT_MAX_DECODED_BYTES = 5 * 1024 * 1024;

export function decodePayload(
  content: string,
  encoding: 'base64' | 'compressed',
  maxBytes = DEFAULT_MAX_DECODED_BYTES,
): DecodedPayload {
  const compact = content.replace(/\s+/g, '');
  if (compact === '' || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    return { ok: false, problem: 'the payload is marked base64 but its text is not valid base64' };
  }
  let bytes = Buffer.from(compact, 'base64');
  if (encoding === 'compressed') {
    try {
      bytes = zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (err) {
      const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      return {
        ok: false,
        problem: tooBig
          ? `the compressed payload inflates beyond the limit of ${maxBytes} bytes`
          : 'the payload is marked compressed but is not valid gzip data',
      };
    }
  }
  if (bytes.length > maxBytes) {
    return { ok: false, problem: `the decoded payload is over the limit of ${maxBytes} bytes` };
  }
  return { ok: true, text: bytes.toString('utf8'), bytes };
}

/** The inverse, for building envelopes. */
export function encodePayload(text: string, encoding: 'base64' | 'compressed'): string {
  const bytes = Buffer.from(text, 'utf8');
  return (encoding === 'compressed' ? zlib.gzipSync(bytes) : bytes).toString('base64');
}
