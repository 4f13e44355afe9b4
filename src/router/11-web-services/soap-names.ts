/**
 * Names fixed by ITK's web-service transport (SOAP 1.1, WS-Addressing 2005/08, WS-Security 1.0)
 * as the accreditation tool checks them: TKW-x contrib/Common/include/cmdfaultresponses.conf and
 * cmdsoapResponseMessage.conf; the request shape of TKW's own addsoap.xslt.
 */
export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';
export const WSSE_NS =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';

/** `wsa:Action` of every fault the router sends (Client and Server faults alike). */
export const FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';
/** The anonymous `wsa:ReplyTo`: answer on this connection (HTTP 200). */
export const ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

/** How long the router's own WS-Security timestamps are valid. */
export const TIMESTAMP_LIFETIME_MS = 5 * 60 * 1000;

/** The Toolkit codes a SOAP fault may carry (TKW: 1000, 2100, 2200, 3000). */
export type FaultCode = '1000' | '2100' | '2200' | '3000';

/** A fault's `faultcode`: the caller's mistake (Client) or the receiver's trouble (Server). */
export const faultcodeOf = (code: FaultCode): 'Client' | 'Server' =>
  code === '1000' || code === '3000' ? 'Client' : 'Server';

/** TKW's MessageID rule: an optional framework prefix (`uuid:`), then a UUID (either case here). */
export const MESSAGE_ID =
  /^[A-Za-z_:]*[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** UTC `yyyy-MM-ddTHH:mm:ssZ`, as ITK timestamps are written. */
export const utcSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
