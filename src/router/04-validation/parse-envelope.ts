/**
 * parseEnvelope: bytes → Envelope, for tools and tests that want the model without a full
 * validation run. Throws EnvelopeParseError when the bytes are unsafe, not well-formed or not a DE.
 */
import { ITK_NS } from '../03-envelope/itk-names.js';
import { parseLite } from '../03-envelope/lite-xml.js';
import { readEnvelope } from '../03-envelope/read-envelope.js';
import type { Envelope } from '../03-envelope/envelope.js';
import { checkSafety, DEFAULT_LIMITS } from './safety.js';
import { parseUntrusted } from './xml-engine.js';
import { RouterError } from '../00-common/router-error.js';

/** Not a readable Distribution Envelope (unsafe bytes, not well-formed, not a DE). */
export class EnvelopeParseError extends RouterError<'ENVELOPE_UNREADABLE'> {
  override readonly name = 'EnvelopeParseError';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('ENVELOPE_UNREADABLE', message, false, options);
  }
}

export function parseEnvelope(xml: Uint8Array | string): Envelope {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const unsafe = checkSafety(bytes, DEFAULT_LIMITS)[0];
  if (unsafe) throw new EnvelopeParseError(unsafe.detail);
  try {
    parseUntrusted(bytes).dispose(); // well-formedness, by libxml2, before the light reader trusts it
  } catch (err) {
    const detail = (err as { details?: { message: string; line: number }[] }).details?.[0];
    throw new EnvelopeParseError(
      detail ? `line ${detail.line}: ${detail.message.trim()}` : String(err),
    );
  }
  const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  const root = parseLite(source);
  if (root.name !== 'DistributionEnvelope' || root.ns !== ITK_NS) {
    throw new EnvelopeParseError(
      `the root element is {${root.ns}}${root.name}, not a Distribution Envelope`,
    );
  }
  return readEnvelope(source, root, { payloadContent: true }).envelope;
}
