/**
 * The request of a `call` step: the SOAP 1.1 call the router's own builder writes
 * (11-web-services/soap-messages.ts `soapRequest`, as `itk-router send --soap` sends it), then
 * changed exactly as the step says, one gate check at a time: a header element's text replaced,
 * left out or written twice, a non-anonymous ReplyTo added, the timestamps shifted, the HTTP
 * SOAPAction and Content-Type headers replaced or left out. Pure: the caller passes ids and time.
 */
import { newMessageId, soapRequest, xmlText } from '../../router/11-web-services/soap-messages.js';
import { HarnessError } from './harness-error.js';
import type { SoapChanges } from './model.js';

/** The changes as a pack writes them (model.ts), the time shift in milliseconds. */
export type RequestChanges = Omit<SoapChanges, 'shift' | 'envelope'> & {
  /** Milliseconds the timestamps are moved from `now`. */
  readonly shiftMs?: number;
};

export interface RequestInput {
  /** The DE's bytes (a BOM and XML declaration are left out, as by the router). */
  readonly de: Buffer;
  /** The DE's service: SOAPAction and wsa:Action. */
  readonly service: string;
  /** The gateway URL: wsa:To, and wsa:From as `send --soap` writes it. */
  readonly gateway: string;
  /** The WS-Security username (recorded by the router, never trusted). */
  readonly username: string;
  readonly now: Date;
  readonly messageId?: string;
  readonly changes: RequestChanges;
}

export interface HarnessRequest {
  readonly body: Buffer;
  /** HTTP headers (Content-Length is added when sent). */
  readonly headers: Readonly<Record<string, string>>;
  readonly messageId: string;
}

/** Header elements a `call` may change: the ones `soapRequest` writes. */
export const HEADER_ELEMENTS = [
  'wsa:MessageID',
  'wsa:Action',
  'wsa:To',
  'wsa:From',
  'wsse:Security',
  'wsu:Timestamp',
  'wsu:Created',
  'wsu:Expires',
  'wsse:UsernameToken',
  'wsse:Username',
] as const;

const elementPattern = (name: string) => {
  const escaped = name.replace(/[.]/g, '\\.');
  return new RegExp(`<${escaped}(?:\\s[^>]*)?>[\\s\\S]*?</${escaped}>`);
};

/** The SOAP header part of `xml` changed by `edit`; the rest as it was. */
function editHeader(xml: string, edit: (header: string) => string): string {
  const start = xml.indexOf('<soap:Header>');
  const end = xml.indexOf('</soap:Header>');
  if (start < 0 || end < 0) throw new HarnessError('the SOAP request has no soap:Header');
  return xml.slice(0, start) + edit(xml.slice(start, end)) + xml.slice(end);
}

function known(name: string, key: string): void {
  if (!(HEADER_ELEMENTS as readonly string[]).includes(name))
    throw new HarnessError(
      `soap.${key}: ${name} is not an element of the request's SOAP header (${HEADER_ELEMENTS.join(', ')})`,
    );
}

/** Applies the element changes to the SOAP header (pure string edits of known elements). */
export function changeHeader(header: string, c: RequestChanges): string {
  let out = header;
  for (const [name, value] of Object.entries(c.set ?? {})) {
    known(name, 'set');
    out = out.replace(elementPattern(name), (whole) => {
      const open = whole.slice(0, whole.indexOf('>') + 1);
      return `${open}${xmlText(value)}</${name}>`;
    });
  }
  for (const name of c.repeat ?? []) {
    known(name, 'repeat');
    out = out.replace(elementPattern(name), (whole) => whole + whole);
  }
  for (const name of c.omit ?? []) {
    known(name, 'omit');
    out = out.replace(elementPattern(name), '');
  }
  if (c.replyTo !== undefined) {
    const replyTo = `<wsa:ReplyTo><wsa:Address>${xmlText(c.replyTo)}</wsa:Address></wsa:ReplyTo>`;
    out = out.replace(/<\/wsa:To>/, `</wsa:To>${replyTo}`);
  }
  return out;
}

/** The HTTP headers of a call: text/xml and the quoted service, unless changed. */
export function requestHeaders(service: string, c: RequestChanges): Record<string, string> {
  const action = c.soapAction ?? service;
  return {
    'Content-Type': c.contentType ?? 'text/xml; charset=utf-8',
    ...(action === '' ? {} : { SOAPAction: `"${action}"` }),
  };
}

export function harnessRequest(i: RequestInput): HarnessRequest {
  const messageId = i.messageId ?? newMessageId();
  const built = soapRequest({
    de: i.de,
    service: i.service,
    url: i.gateway,
    from: i.gateway,
    username: i.username,
    now: new Date(i.now.getTime() + (i.changes.shiftMs ?? 0)),
    messageId,
  });
  const xml = editHeader(built.toString('utf8'), (h) => changeHeader(h, i.changes));
  return {
    body: Buffer.from(xml, 'utf8'),
    headers: requestHeaders(i.service, i.changes),
    messageId: i.changes.set?.['wsa:MessageID'] ?? messageId,
  };
}

/** The DE element of a document: from its start tag to its end tag (what the gateway forwards). */
export function deElement(text: string): string {
  const start = /<(?:[\w.-]+:)?DistributionEnvelope\b/.exec(text);
  const end =
    /<\/(?:[\w.-]+:)?DistributionEnvelope\s*>(?![\s\S]*<\/(?:[\w.-]+:)?DistributionEnvelope)/.exec(
      text,
    );
  if (!start || !end) return text;
  return text.slice(start.index, end.index + end[0].length);
}
