/**
 * SOAP 1.1 calls as suppliers send them (the shape of TKW's own addsoap.xslt), for the
 * web-service tests: every header the contract requires, each of which a test can leave out or
 * replace to break the call in exactly one way.
 */
import { randomUUID } from 'node:crypto';

export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  itk: 'urn:nhs-itk:ns:201005',
} as const;

export interface CallParts {
  /** The DE as a document (an XML declaration is dropped). */
  readonly de: string;
  readonly messageId?: string | null;
  /** Default: the DE's service. */
  readonly action?: string | null;
  readonly to?: string | null;
  readonly replyTo?: string;
  readonly created?: Date | string | null;
  readonly expires?: Date | string | null;
  readonly username?: string | null;
  /** Extra elements inside soap:Body after the DE. */
  readonly bodyExtra?: string;
}

const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());

export const serviceOf = (de: string): string =>
  /<itk:header[^>]*\sservice="([^"]*)"/.exec(de)?.[1] ?? '';

export const withoutDeclaration = (de: string) => de.replace(/^\uFEFF?\s*<\?xml[^>]*\?>\s*/, '');

/** A whole call; `null` leaves a header out. */
export function soapCall(p: CallParts): string {
  const now = Date.now();
  const el = (name: string, value: string | null | undefined, fallback: string) =>
    value === null ? '' : `<${name}>${value ?? fallback}</${name}>`;
  const created =
    p.created === null ? '' : `<wsu:Created>${iso(p.created ?? new Date(now))}</wsu:Created>`;
  const expires =
    p.expires === null
      ? ''
      : `<wsu:Expires>${iso(p.expires ?? new Date(now + 300_000))}</wsu:Expires>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<soap:Envelope xmlns:soap="${NS.soap}" xmlns:wsa="${NS.wsa}">\n<soap:Header>\n` +
    el('wsa:MessageID', p.messageId, randomUUID().toUpperCase()) +
    el('wsa:Action', p.action, serviceOf(p.de)) +
    el('wsa:To', p.to, 'https://localhost/itk') +
    `<wsa:From><wsa:Address>https://supplier.example/itk</wsa:Address></wsa:From>` +
    (p.replyTo ? `<wsa:ReplyTo><wsa:Address>${p.replyTo}</wsa:Address></wsa:ReplyTo>` : '') +
    `<wsse:Security xmlns:wsse="${NS.wsse}"><wsu:Timestamp xmlns:wsu="${NS.wsu}" wsu:Id="TS-1">` +
    created +
    expires +
    `</wsu:Timestamp>` +
    (p.username === null
      ? ''
      : `<wsse:UsernameToken><wsse:Username>${p.username ?? 'supplier system'}</wsse:Username></wsse:UsernameToken>`) +
    `</wsse:Security>\n</soap:Header>\n<soap:Body>\n` +
    withoutDeclaration(p.de) +
    (p.bodyExtra ?? '') +
    `\n</soap:Body>\n</soap:Envelope>\n`
  );
}
