/**
 * Reads an inbound web-service call and runs the gate checks of docs/web-services.md, in order:
 * Content-Type, stage-1 safety (before any parser), well-formed XML, a SOAP 1.1 envelope holding
 * exactly one DE, the WS-Addressing and WS-Security headers TKW requires, SOAPAction = wsa:Action
 * = the DE's service, and the timestamp within the clock skew. Pure: the caller passes the time.
 * The DE comes out as a document of its own: its bytes verbatim, with the namespace declarations
 * it inherits and uses added to its start tag (envelope/lite-xml.ts `standaloneXml`).
 *
 * Cost per call (a 3 KB care plan): libxml2 proves the whole call well-formed (its tree is not
 * kept), and the light tree is built for the envelope, its header and the DE's header only.
 */
import { ITK_NS } from '../03-envelope/itk-names.js';
import { childNamed, parseLite, standaloneXml, type LiteElement } from '../03-envelope/lite-xml.js';
import { checkSafety, utf8Text, type SafetyLimits } from '../04-validation/safety.js';
import { parseUntrusted, XmlLibError } from '../04-validation/xml-engine.js';
import { MESSAGE_ID, SOAP_NS, WSA_NS, WSSE_NS, WSU_NS, type FaultCode } from './soap-names.js';

/** A call that passed the gate. Every text is trimmed. */
export interface SoapCall {
  readonly messageId: string;
  readonly action: string;
  readonly to: string;
  readonly from?: string;
  readonly replyTo?: string;
  readonly faultTo?: string;
  readonly created: Date;
  readonly expires: Date;
  /** The WS-Security username: recorded, never trusted. */
  readonly username: string;
  /** The DE's `itk:header/@service`. */
  readonly service: string;
  /** The DE as a standalone document. */
  readonly de: string;
}

/** Why the gate refused a call: the fault's code and exactly what was wrong. */
export interface GateRefusal {
  readonly code: FaultCode;
  readonly diagnostic: string;
  /** The request's wsa:MessageID when it could be read (the fault's RelatesTo). */
  readonly messageId?: string;
}

export interface GateInput {
  readonly body: Buffer;
  /** The HTTP `Content-Type` header. */
  readonly contentType: string | undefined;
  /** The HTTP `SOAPAction` header, quotes and all. */
  readonly soapAction: string | undefined;
}

export interface GateOptions {
  readonly limits: SafetyLimits;
  readonly clockSkewMs: number;
  readonly now: Date;
}

export type GateResult =
  | { readonly ok: true; readonly call: SoapCall }
  | { readonly ok: false; readonly refusal: GateRefusal };

const refuse = (diagnostic: string, messageId?: string): GateResult => ({
  ok: false,
  refusal: { code: '1000', diagnostic, ...(messageId ? { messageId } : {}) },
});

/** Kept whole, not looked inside (envelope/lite-xml.ts `OpaqueElements`). */
const DE_PAYLOADS = { ns: ITK_NS, names: new Set(['payloads']) };

/** xs:dateTime with a zone (TKW emits `Z`); fractions allowed. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const unquote = (v: string) => {
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
};

/** `Content-Type: text/xml`, parameters (charset) allowed; SOAP 1.1 uses nothing else. */
export function contentTypeProblem(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'text/xml') return undefined;
  return `Content-Type must be text/xml (SOAP 1.1), got ${contentType ? JSON.stringify(contentType) : 'none'}`;
}

export function readSoapCall(input: GateInput, options: GateOptions): GateResult {
  const typeProblem = contentTypeProblem(input.contentType);
  if (typeProblem) return refuse(typeProblem);
  const source = utf8Text(input.body);
  const unsafe = checkSafety(input.body, options.limits, source)[0];
  if (unsafe) return refuse(`${unsafe.rule}: ${unsafe.detail}`);
  try {
    parseUntrusted(input.body, 'call').dispose();
  } catch (err) {
    if (!(err instanceof XmlLibError)) throw err;
    const d = err.details.find((x) => x.level >= 2) ?? err.details[0];
    return refuse(
      d ? `not well-formed XML: ${d.message.trim()} (line ${d.line})` : 'not well-formed XML',
    );
  }
  // The DE's payloads are stepped over, not built: the gate reads nothing inside them (the
  // pipeline validates them, on the very bytes published); their bytes stay in the DE verbatim.
  const root = parseLite(source, DE_PAYLOADS);
  if (root.name !== 'Envelope' || root.ns !== SOAP_NS) {
    return refuse(
      `not a SOAP 1.1 message: the root element is {${root.ns}}${root.name}, not {${SOAP_NS}}Envelope`,
    );
  }
  return readEnvelope(source, root, input, options);
}

function readEnvelope(
  source: string,
  root: LiteElement,
  input: GateInput,
  options: GateOptions,
): GateResult {
  const header = childNamed(root, 'Header', SOAP_NS);
  const body = childNamed(root, 'Body', SOAP_NS);
  const text = (parent: LiteElement | undefined, name: string, ns: string) => {
    const el = childNamed(parent, name, ns);
    return el ? el.text.trim() : undefined;
  };
  const messageId = text(header, 'MessageID', WSA_NS);
  const readable = messageId && MESSAGE_ID.test(messageId) ? messageId : undefined;
  if (!body) return refuse('the SOAP envelope has no soap:Body', readable);
  const des = body.children.filter((c) => c.name === 'DistributionEnvelope' && c.ns === ITK_NS);
  if (des.length !== 1 || body.children.length !== 1) {
    const others = body.children.length - des.length;
    return refuse(
      `the SOAP body must hold exactly one itk:DistributionEnvelope and nothing else; found ${des.length}` +
        (others > 0 ? ` and ${others} other element${others > 1 ? 's' : ''}` : ''),
      readable,
    );
  }
  const twice = ['MessageID', 'Action', 'To'].filter(
    (name) => (header?.children.filter((c) => c.name === name && c.ns === WSA_NS).length ?? 0) > 1,
  );
  if (twice.length > 0) {
    return refuse(
      `the SOAP header has more than one ${twice.map((n) => `wsa:${n}`).join(', ')}`,
      readable,
    );
  }
  const security = childNamed(header, 'Security', WSSE_NS);
  const timestamp = childNamed(security, 'Timestamp', WSU_NS);
  const fields = {
    'wsa:MessageID': messageId,
    'wsa:Action': text(header, 'Action', WSA_NS),
    'wsa:To': text(header, 'To', WSA_NS),
    'wsse:Security/wsu:Timestamp/wsu:Created': text(timestamp, 'Created', WSU_NS),
    'wsse:Security/wsu:Timestamp/wsu:Expires': text(timestamp, 'Expires', WSU_NS),
    'wsse:Security/wsse:UsernameToken/wsse:Username': text(
      childNamed(security, 'UsernameToken', WSSE_NS),
      'Username',
      WSSE_NS,
    ),
  };
  const missing = Object.entries(fields)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0) {
    return refuse(`missing from the SOAP header: ${missing.join(', ')}`, readable);
  }
  const f = fields as Record<keyof typeof fields, string>;
  if (!readable) {
    return refuse(
      `wsa:MessageID must be a UUID (an optional prefix such as uuid: allowed), got ${JSON.stringify(f['wsa:MessageID'])}`,
    );
  }
  const action = f['wsa:Action'];
  const service = childNamed(des[0], 'header', ITK_NS)?.attrs.get('service')?.trim() ?? '';
  const soapAction = input.soapAction === undefined ? undefined : unquote(input.soapAction);
  if (soapAction !== action || action !== service) {
    return refuse(
      `SOAPAction, wsa:Action and the DE's service must be equal: SOAPAction ${JSON.stringify(soapAction ?? null)}, wsa:Action ${JSON.stringify(action)}, itk:header/@service ${JSON.stringify(service)}`,
      readable,
    );
  }
  const times = readTimes(
    f['wsse:Security/wsu:Timestamp/wsu:Created'],
    f['wsse:Security/wsu:Timestamp/wsu:Expires'],
    options,
  );
  if ('problem' in times) return refuse(times.problem, readable);
  const address = (name: string) => text(childNamed(header, name, WSA_NS), 'Address', WSA_NS);
  const from = address('From');
  const replyTo = address('ReplyTo');
  const faultTo = address('FaultTo');
  return {
    ok: true,
    call: {
      messageId: readable,
      action,
      to: f['wsa:To'],
      ...(from ? { from } : {}),
      ...(replyTo ? { replyTo } : {}),
      ...(faultTo ? { faultTo } : {}),
      created: times.created,
      expires: times.expires,
      username: f['wsse:Security/wsse:UsernameToken/wsse:Username'],
      service,
      de: standaloneXml(source, des[0]!),
    },
  };
}

function readTimes(
  createdText: string,
  expiresText: string,
  { now, clockSkewMs }: GateOptions,
): { created: Date; expires: Date } | { problem: string } {
  for (const [name, value] of [
    ['wsu:Created', createdText],
    ['wsu:Expires', expiresText],
  ] as const) {
    if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
      return {
        problem: `${name} must be an xs:dateTime with a time zone, got ${JSON.stringify(value)}`,
      };
    }
  }
  const created = new Date(createdText);
  const expires = new Date(expiresText);
  const skew = `${Math.round(clockSkewMs / 1000)} s`;
  if (expires.getTime() + clockSkewMs < now.getTime()) {
    return {
      problem: `message expired: wsu:Expires ${expiresText} is past (now ${now.toISOString()}, clock skew ${skew})`,
    };
  }
  if (created.getTime() - clockSkewMs > now.getTime()) {
    return {
      problem: `message expired: wsu:Created ${createdText} is in the future (now ${now.toISOString()}, clock skew ${skew})`,
    };
  }
  return { created, expires };
}
