/**
 * The SOAP messages the router writes: the 200 answer to an accepted call, a fault carrying
 * itk:ToolkitErrorInfo, and the request of an outbound call. Pure; the caller passes ids and time.
 * Shapes follow what TKW checks (soap-names.ts): a fault's wsa:Action, faultcode Client or
 * Server, a detail with ErrorID (upper-case UUID), ErrorCode with its code system, ErrorText and
 * ErrorDiagnosticText; a response's Security with Timestamp and Username.
 */
import { randomUUID } from 'node:crypto';
import { ITK_NS } from '../03-envelope/itk-names.js';
import { OID } from '../00-common/itk-oids.js';
import { ITK_ERRORS } from '../00-common/itk-errors.js';
import {
  FAULT_ACTION,
  faultcodeOf,
  SOAP_NS,
  TIMESTAMP_LIFETIME_MS,
  utcSeconds,
  WSA_NS,
  WSSE_NS,
  WSU_NS,
  type FaultCode,
} from './soap-names.js';

export const newMessageId = (): string => randomUUID().toUpperCase();

/** Escapes text for element content and double-quoted attributes. */
export const xmlText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const OPEN =
  `<soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:wsa="${WSA_NS}" xmlns:wsse="${WSSE_NS}"` +
  ` xmlns:wsu="${WSU_NS}" xmlns:itk="${ITK_NS}">`;

const security = (username: string, now: Date) =>
  `<wsse:Security><wsu:Timestamp wsu:Id="TS-${newMessageId()}">` +
  `<wsu:Created>${utcSeconds(now)}</wsu:Created>` +
  `<wsu:Expires>${utcSeconds(new Date(now.getTime() + TIMESTAMP_LIFETIME_MS))}</wsu:Expires>` +
  `</wsu:Timestamp><wsse:UsernameToken><wsse:Username>${xmlText(username)}</wsse:Username>` +
  `</wsse:UsernameToken></wsse:Security>`;

/** The answer to an accepted call with an anonymous (or no) ReplyTo: HTTP 200. */
export function simpleMessageResponse(r: {
  readonly service: string;
  readonly relatesTo: string;
  /** The router's identity, as the WS-Security username. */
  readonly username: string;
  readonly now: Date;
  readonly messageId?: string;
}): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>${OPEN}<soap:Header>` +
    `<wsa:MessageID>${r.messageId ?? newMessageId()}</wsa:MessageID>` +
    `<wsa:Action>${xmlText(r.service)}Response</wsa:Action>` +
    `<wsa:RelatesTo>${xmlText(r.relatesTo)}</wsa:RelatesTo>` +
    security(r.username, r.now) +
    `</soap:Header><soap:Body><itk:SimpleMessageResponse>OK</itk:SimpleMessageResponse>` +
    `</soap:Body></soap:Envelope>`
  );
}

export interface Fault {
  readonly code: FaultCode;
  /** ErrorDiagnosticText: exactly what was wrong. */
  readonly diagnostic: string;
  /** The request's wsa:MessageID, when it was readable. */
  readonly relatesTo?: string;
}

const FAULTSTRING = {
  Client: 'A client related error has occurred, see detail element for further information',
  Server: 'A server related error has occurred, see detail element for further information',
} as const;

/** A SOAP fault with itk:ToolkitErrorInfo (HTTP 500, or 503 for the busy tone). */
export function soapFault(f: Fault, ids: { messageId?: string; errorId?: string } = {}): string {
  const faultcode = faultcodeOf(f.code);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>${OPEN}<soap:Header>` +
    `<wsa:MessageID>${ids.messageId ?? newMessageId()}</wsa:MessageID>` +
    `<wsa:Action>${FAULT_ACTION}</wsa:Action>` +
    (f.relatesTo ? `<wsa:RelatesTo>${xmlText(f.relatesTo)}</wsa:RelatesTo>` : '') +
    `</soap:Header><soap:Body><soap:Fault><faultcode>soap:${faultcode}</faultcode>` +
    `<faultstring>${FAULTSTRING[faultcode]}</faultstring><detail><itk:ToolkitErrorInfo>` +
    `<itk:ErrorID>${ids.errorId ?? newMessageId()}</itk:ErrorID>` +
    `<itk:ErrorCode codeSystem="${OID.toolkitErrors}">${f.code}</itk:ErrorCode>` +
    `<itk:ErrorText>${xmlText(ITK_ERRORS[f.code].text)}</itk:ErrorText>` +
    `<itk:ErrorDiagnosticText>${xmlText(f.diagnostic)}</itk:ErrorDiagnosticText>` +
    `</itk:ToolkitErrorInfo></detail></soap:Fault></soap:Body></soap:Envelope>`
  );
}

/**
 * The DE's bytes as they can sit inside soap:Body: without a UTF-8 byte-order mark and an XML
 * declaration (neither may appear there); everything from the first other markup on, verbatim.
 */
export function embeddableDe(de: Buffer): Buffer {
  let at = de[0] === 0xef && de[1] === 0xbb && de[2] === 0xbf ? 3 : 0;
  const skipSpace = () => {
    while (at < de.length && [0x20, 0x09, 0x0a, 0x0d].includes(de[at]!)) at++;
  };
  skipSpace();
  if (de.subarray(at, at + 5).toString('latin1') === '<?xml') {
    const end = de.indexOf('?>', at);
    if (end !== -1) {
      at = end + 2;
      skipSpace();
    }
  }
  return de.subarray(at);
}

/** An outbound call's request: the DE bytes as received, in a SOAP 1.1 envelope. */
export function soapRequest(r: {
  readonly de: Buffer;
  readonly service: string;
  readonly url: string;
  /** The router's ITK address (wsa:From). */
  readonly from: string;
  /** The router's identity (the WS-Security username). */
  readonly username: string;
  readonly now: Date;
  readonly messageId: string;
}): Buffer {
  const head =
    `<?xml version="1.0" encoding="UTF-8"?>${OPEN}<soap:Header>` +
    `<wsa:MessageID>${r.messageId}</wsa:MessageID>` +
    `<wsa:Action>${xmlText(r.service)}</wsa:Action>` +
    `<wsa:To>${xmlText(r.url)}</wsa:To>` +
    `<wsa:From><wsa:Address>${xmlText(r.from)}</wsa:Address></wsa:From>` +
    security(r.username, r.now) +
    `</soap:Header><soap:Body>`;
  return Buffer.concat([
    Buffer.from(head, 'utf8'),
    embeddableDe(r.de),
    Buffer.from('</soap:Body></soap:Envelope>', 'utf8'),
  ]);
}
