/**
 * Stage 3 (second half): the DE consistency rules (docs/contract.md, ITK facts: Distribution Envelope) that XSD 1.0 cannot express.
 * Pure: reads the envelope as read from the document, returns findings.
 */
import { GENERIC_SERVICES, OID, SPEC_KEY, XENC_NS } from '../03-envelope/itk-names.js';
import type { At, ReadEnvelope } from '../03-envelope/read-envelope.js';
import { finding, warning } from './findings.js';
import type { Finding } from './finding.js';

const ADDRESS = /^urn:nhs-uk:addressing:[a-zA-Z_:0-9]+$/;
const IDENTITY = /^urn:nhs-uk:identity:\S+$/;
/** TKW's id rule (TKW-x subGeneric.conf lines 368 and 403): letters, `_` or `:`, then an upper-case UUID. */
const TKW_ID = /^[a-zA-Z_:]*[A-F0-9]{8}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{12}/;
const UUID_IN = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/;
const OID_FORM = /^[0-2](\.(0|[1-9][0-9]*))+$/;
const loc = (a: At | undefined, attribute?: string) =>
  a ? { line: a.line, path: attribute ? `${a.path}/@${attribute}` : a.path } : {};

function counts(r: ReadEnvelope, out: Finding[]): void {
  const { manifest, payloads } = r.envelope;
  if (r.manifestCount !== undefined && Number(r.manifestCount) !== manifest.length) {
    out.push(
      finding(
        'DE0006',
        'DE-MANIFEST-COUNT',
        `manifest count is ${r.manifestCount} but there are ${manifest.length} manifest items`,
        loc(r.at.manifest, 'count'),
      ),
    );
  }
  if (r.payloadsCount !== undefined && Number(r.payloadsCount) !== payloads.length) {
    out.push(
      finding(
        'DE0011',
        'DE-PAYLOADS-COUNT',
        `payloads count is ${r.payloadsCount} but there are ${payloads.length} payload elements`,
        loc(r.at.payloads, 'count'),
      ),
    );
  }
  if (manifest.length !== payloads.length) {
    out.push(
      finding(
        'DE0011',
        'DE-MANIFEST-PAYLOADS',
        `${manifest.length} manifest items but ${payloads.length} payloads`,
        loc(r.at.payloads),
      ),
    );
  }
}

function ids(r: ReadEnvelope, out: Finding[]): void {
  const { trackingId, manifest, payloads } = r.envelope;
  const payloadIds = new Set(payloads.map((p) => p.id));
  const manifestIds = new Set(manifest.map((m) => m.id));
  const seenManifest = new Set<string>();
  manifest.forEach((m, i) => {
    const where = loc(r.at.manifestItems[i], 'id');
    if (m.id === '') return;
    if (seenManifest.has(m.id)) {
      out.push(
        finding('DE0007', 'DE-IDS-DISTINCT', `manifest item id ${m.id} is used twice`, where),
      );
    }
    seenManifest.add(m.id);
    if (UUID_IN.exec(m.id)?.[0].toUpperCase() === trackingId.toUpperCase()) {
      out.push(
        finding(
          'DE0002',
          'DE-IDS-DISTINCT',
          `the tracking id is also used as manifest item id ${m.id}`,
          loc(r.at.header, 'trackingid'),
        ),
      );
    }
    if (!payloadIds.has(m.id)) {
      out.push(
        finding(
          'DE0007',
          'DE-MANIFEST-ID',
          `manifest item ${m.id} has no payload with that id`,
          where,
        ),
      );
    }
    if (m.profileId === '') {
      out.push(
        warning(
          'DE0007',
          'DE-PROFILEID-EMPTY',
          `manifest item ${m.id} has an empty profileid (TKW warns of blank attributes); the payload is matched as if it had none`,
          loc(r.at.manifestItems[i], 'profileid'),
        ),
      );
    }
    if (!TKW_ID.test(m.id)) {
      out.push(
        warning(
          'DE0007',
          'DE-MANIFEST-ID-FORMAT',
          `manifest item id ${m.id} should be letters, _ or : before an upper-case UUID (TKW)`,
          where,
        ),
      );
    }
  });
  const seenPayload = new Set<string>();
  payloads.forEach((p, i) => {
    const where = loc(r.at.payloadItems[i], 'id');
    if (p.id === '') return;
    if (seenPayload.has(p.id)) {
      out.push(finding('DE0012', 'DE-IDS-DISTINCT', `payload id ${p.id} is used twice`, where));
    }
    seenPayload.add(p.id);
    if (!manifestIds.has(p.id)) {
      out.push(finding('DE0012', 'DE-PAYLOAD-ID', `payload ${p.id} has no manifest item`, where));
    }
  });
}

function addressing(r: ReadEnvelope, out: Finding[]): void {
  const { addresses, auditIdentity, senderAddress } = r.envelope;
  const isItk = (type: string | undefined, oid: string) => type === undefined || type === oid;
  addresses.forEach((a, i) => {
    if (a.type !== undefined && !OID_FORM.test(a.type)) {
      out.push(
        warning(
          'DE0003',
          'DE-ADDRESS-TYPE',
          `address type ${a.type} should be an OID`,
          loc(r.at.addresses[i], 'type'),
        ),
      );
    }
    if (a.uri !== '' && isItk(a.type, OID.itkAddress) && !ADDRESS.test(a.uri)) {
      out.push(
        finding(
          'DE0003',
          'DE-ADDRESS-FORMAT',
          `address ${a.uri} is not an ITK address (urn:nhs-uk:addressing:…)`,
          loc(r.at.addresses[i], 'uri'),
        ),
      );
    }
  });
  auditIdentity.forEach((a, i) => {
    if (a.uri !== '' && isItk(a.type, OID.itkIdentity) && !IDENTITY.test(a.uri)) {
      out.push(
        finding(
          'DE0005',
          'DE-IDENTITY-FORMAT',
          `identity ${a.uri} is not an ITK identity (urn:nhs-uk:identity:…)`,
          loc(r.at.identities[i], 'uri'),
        ),
      );
    }
  });
  if (
    senderAddress &&
    senderAddress.uri !== '' &&
    isItk(senderAddress.type, OID.itkAddress) &&
    !ADDRESS.test(senderAddress.uri)
  ) {
    out.push(
      finding(
        'DE0008',
        'DE-SENDER-FORMAT',
        `sender address ${senderAddress.uri} is not an ITK address`,
        loc(r.at.sender, 'uri'),
      ),
    );
  }
}

function handling(r: ReadEnvelope, out: Finding[]): void {
  const { handlingSpecs, service, senderAddress } = r.envelope;
  const seen = new Set<string>();
  let acksRequested = false;
  handlingSpecs.forEach((s, i) => {
    const where = loc(r.at.specs[i]);
    if (seen.has(s.key))
      out.push(
        finding('DE0010', 'DE-SPEC-DUPLICATE', `handling spec ${s.key} is given twice`, where),
      );
    seen.add(s.key);
    if (s.key === SPEC_KEY.infAckRequested || s.key === SPEC_KEY.busAckRequested) {
      const v = s.value.trim().toLowerCase();
      if (v !== 'true' && v !== 'false') {
        out.push(
          finding(
            'DE0010',
            'DE-SPEC-BOOLEAN',
            `handling spec ${s.key} has value "${s.value}"; it must be true or false`,
            loc(r.at.specs[i], 'value'),
          ),
        );
      }
      if (v === 'true') acksRequested = true;
    }
  });
  if (GENERIC_SERVICES.has(service) && !seen.has(SPEC_KEY.interaction)) {
    out.push(
      finding(
        'DE0009',
        'DE-INTERACTION-REQUIRED',
        `service ${service} needs the handling spec ${SPEC_KEY.interaction}`,
        loc(r.at.handling ?? r.at.header),
      ),
    );
  }
  if (acksRequested && !senderAddress) {
    out.push(
      finding(
        'DE0008',
        'DE-SENDER-REQUIRED',
        'an acknowledgement is requested but there is no senderAddress to send it to',
        loc(r.at.header),
      ),
    );
  }
}

function payloadContent(r: ReadEnvelope, out: Finding[]): void {
  r.payloadBodies.forEach((body, i) => {
    const payload = r.envelope.payloads[i]!;
    const where = loc(r.at.payloadItems[i]);
    const bad = (detail: string) =>
      out.push(finding('DE0012', 'DE-PAYLOAD-CONTENT', `payload ${payload.id}: ${detail}`, where));
    if (body.kind === 'decoded') {
      if (!body.decoded.ok) bad(body.decoded.problem);
    } else if (body.kind === 'undecoded') {
      // not decoded: the payload before it reached the decoded-bytes limit (one finding says so)
    } else if (body.kind === 'empty') {
      bad(
        body.text
          ? 'the payload holds text but its manifest item does not say base64'
          : 'the payload is empty',
      );
    } else if (payload.encoding === 'encrypted') {
      if (body.element.ns !== XENC_NS || body.element.name !== 'EncryptedData') {
        bad('the payload is marked encrypted but does not hold xenc:EncryptedData');
      }
    } else if (body.elementCount > 1) {
      bad(`the payload holds ${body.elementCount} elements; an XML payload holds exactly one`);
    }
  });
}

/** A value as xs:anyURI / xs:token read it: runs of XML white space as one space, trimmed. */
const collapsed = (v: string) => v.replace(/[ \t\n\r]+/g, ' ').trim();
const shown = (v: string) => JSON.stringify(v).replace(/\\u0020/g, ' ');

/**
 * Padded values (docs/contract.md, "What the router reads is what it validated"): the schema
 * collapses white space in a URI (xs:anyURI) before it checks it, the router reads each value as
 * written. Every header attribute the router reads must already be in the form the schema
 * checked: one without leading or trailing white space, tabs, line breaks (literal or written as
 * character references) or runs of spaces. Anything else is refused, naming the attribute.
 */
function whiteSpace(r: ReadEnvelope, out: Finding[]): void {
  const e = r.envelope;
  const check = (
    code: Parameters<typeof finding>[0],
    where: At | undefined,
    attribute: string,
    value: string | undefined,
  ) => {
    if (value === undefined || value === collapsed(value)) return;
    const at = loc(where, attribute);
    out.push(
      finding(
        code,
        'DE-WHITESPACE',
        `${at.path ?? `@${attribute}`} is ${shown(value)}: white space around or inside a value is refused (the schema would read ${shown(collapsed(value))}, the router reads it as written)`,
        at,
      ),
    );
  };
  check('DE0002', r.at.header, 'service', e.service);
  check('DE0002', r.at.header, 'trackingid', e.trackingId);
  e.addresses.forEach((a, i) => {
    check('DE0003', r.at.addresses[i], 'uri', a.uri);
    check('DE0003', r.at.addresses[i], 'type', a.type);
  });
  e.auditIdentity.forEach((a, i) => {
    check('DE0005', r.at.identities[i], 'uri', a.uri);
    check('DE0005', r.at.identities[i], 'type', a.type);
  });
  e.manifest.forEach((m, i) => {
    check('DE0007', r.at.manifestItems[i], 'id', m.id);
    check('DE0007', r.at.manifestItems[i], 'mimetype', m.mimeType);
    check('DE0007', r.at.manifestItems[i], 'profileid', m.profileId);
  });
  check('DE0008', r.at.sender, 'uri', e.senderAddress?.uri);
  check('DE0008', r.at.sender, 'type', e.senderAddress?.type);
  e.handlingSpecs.forEach((s, i) => {
    check('DE0010', r.at.specs[i], 'key', s.key);
    check('DE0010', r.at.specs[i], 'value', s.value);
  });
  e.payloads.forEach((p, i) => check('DE0012', r.at.payloadItems[i], 'id', p.id));
}

/** Every DE consistency finding for an envelope read from a document whose root is a DE. */
export function checkEnvelopeRules(r: ReadEnvelope): Finding[] {
  const out: Finding[] = [];
  whiteSpace(r, out);
  counts(r, out);
  ids(r, out);
  addressing(r, out);
  handling(r, out);
  payloadContent(r, out);
  return out;
}
