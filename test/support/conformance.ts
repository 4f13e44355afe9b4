/**
 * What the accreditation tool (TKW) would say of a message the router or a tool built: the
 * official schemas (schemas/official/, from UECIT/cdss-tkw) and TKW's ITK 2.2 rules written as
 * code, each citing its source in nhsdigitalmait/TKW-x at commit
 * 2c6449778aa9b4e88538120c0749055ea7bdbd29:
 *   GEN  = contrib/Common/include/subGeneric.conf
 *   ACK  = contrib/Common/ITKService/ITKServiceAcknowledgements.conf
 * `problems(bytes)` lists every rule broken ([] = TKW would pass it). Used by the conformance test
 * and by the router harness, which checks every message the router sends that a test reads.
 */
import path from 'node:path';
import {
  compileSchema,
  type CompiledSchema,
} from '../../src/router/04-validation/compiled-schema.js';
import {
  parseUntrusted,
  xsdErrors,
  type XmlElement,
} from '../../src/router/04-validation/xml-engine.js';
import {
  childNamed,
  childrenNamed,
  parseLite,
  type LiteElement,
} from '../../src/router/03-envelope/lite-xml.js';
import { HL7_NS, INTERACTION, ITK_NS, SPEC_KEY } from '../../src/router/03-envelope/itk-names.js';
import { packagePath } from '../../src/router/00-common/package-root.js';

const OFFICIAL = packagePath('schemas', 'official');
const UUID_UPPER = /^[A-F0-9]{8}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{12}$/;
const ID_PATTERN = /^[a-zA-Z_:]*[A-F0-9]{8}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{12}/;
const DE_TEXT: Readonly<Record<string, string>> = {
  DE0001: 'Distribution Envelope Processing Error',
  DE0002: 'Distribution Envelope Header Processing Error',
  DE0003: 'Distribution Envelope Address List Processing Error',
  DE0004: 'Distribution Envelope Audit Identity Processing Error',
  DE0005: 'Distribution Envelope Id Processing Error',
  DE0006: 'Distribution Envelope Manifest Processing Error',
  DE0007: 'Distribution Envelope Manifest Item Processing Error',
  DE0008: 'Distribution Envelope Sender Address Processing Error',
  DE0009: 'Distribution Envelope Handling Specifications Processing Error',
  DE0010: 'Distribution Envelope Spec Processing Error',
  DE0011: 'Distribution Envelope Payloads Processing Error',
  DE0012: 'Distribution Envelope Payload Processing Error',
}; // ACK lines 60-144, one IF block per code
const DE_CODE_SYSTEM = '2.16.840.1.113883.2.1.3.2.4.17.516'; // ACK line 42
const BUS_ACK_PROFILE = 'urn:nhs-en:profile:ITKBusinessAcknowledgement-v2-0'; // ACK line 191
const DATE_TIME =
  /^()?[1-9]\d{3,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(.(\d+))?(Z|((\+|-)\d{2}(:)?\d{2})?)$/; // GEN line 507

let schemas: { de: CompiledSchema; inf: CompiledSchema; bus: CompiledSchema } | undefined;
function official() {
  schemas ??= {
    de: compileSchema(path.join(OFFICIAL, 'itk-core', 'distributionEnvelope-v2-0.xsd'), OFFICIAL),
    inf: compileSchema(
      path.join(OFFICIAL, 'itk-core', 'GenericInfrastructureResponse-v1-0.xsd'),
      OFFICIAL,
    ),
    bus: compileSchema(
      path.join(OFFICIAL, 'business-ack', 'Schemas', 'MCCI_MT020000GB02.xsd'),
      OFFICIAL,
    ),
  };
  return schemas;
}

function schemaProblems(bytes: Uint8Array, payloadSchema: 'inf' | 'bus' | undefined): string[] {
  const out: string[] = [];
  const doc = parseUntrusted(bytes);
  try {
    const s = official();
    // GEN line 235: CHECK schema distributionEnvelope-v2-0.xsd
    for (const e of xsdErrors(s.de.validator, doc))
      out.push(`official DE schema (GEN line 235), line ${e.line}: ${e.message.trim()}`);
    if (payloadSchema) {
      // ACK line 8 / 196: CHECK schema … //itk:payloads/itk:payload[1]/*[1]
      const root = doc.get('/itk:DistributionEnvelope/itk:payloads/itk:payload[1]/*[1]', {
        itk: ITK_NS,
      }) as XmlElement | null;
      if (!root) out.push('no payload element to check against the official payload schema');
      else
        for (const e of xsdErrors(s[payloadSchema].validator, root))
          out.push(
            `official ${payloadSchema === 'inf' ? 'InfrastructureResponse (ACK line 8)' : 'MCCI_MT020000GB02 (ACK line 196)'} schema, line ${e.line}: ${e.message.trim()}`,
          );
    }
  } finally {
    doc.dispose();
  }
  return out;
}

const attr = (el: LiteElement | undefined, name: string) => el?.attrs.get(name);

/** GEN lines 222-404 (GEN_validate_DistributionEnvelope): the DE rules TKW applies to every message. */
function deRules(root: LiteElement, out: string[]): void {
  const header = childNamed(root, 'header', ITK_NS);
  const trackingId = attr(header, 'trackingid') ?? '';
  if (!UUID_UPPER.test(trackingId))
    out.push(`GEN line 250: trackingid ${trackingId} is not an upper-case UUID`);
  const ids = childrenNamed(childNamed(header, 'auditIdentity', ITK_NS), 'id', ITK_NS);
  if (ids.length === 0) out.push('GEN line 342: auditIdentity/id/@uri is missing (COR-DEH-03)');
  for (const id of ids) {
    const uri = attr(id, 'uri') ?? '';
    if (!uri.startsWith('urn:nhs-uk:identity:'))
      out.push(`GEN line 306: auditIdentity ${uri} is not a Toolkit identity (COR-DEH-04)`);
    else {
      const rest = uri.slice('urn:nhs-uk:identity:'.length);
      if (!/^((([^:])+:)+)([^:])+$/.test(rest))
        out.push(`GEN line 284: auditIdentity ${uri}: the rest is not colon-delimited tokens`);
      const type = attr(id, 'type');
      if (type !== undefined && type !== '2.16.840.1.113883.2.1.3.2.4.18.27')
        out.push(`GEN line 298: auditIdentity type ${type} is not the default OID`);
    }
  }
  const manifest = childNamed(header, 'manifest', ITK_NS);
  const items = childrenNamed(manifest, 'manifestitem', ITK_NS);
  const payloads = childNamed(root, 'payloads', ITK_NS);
  const payloadList = childrenNamed(payloads, 'payload', ITK_NS);
  for (const m of items) {
    if (!/^text\/xml$/i.test(attr(m, 'mimetype') ?? ''))
      out.push(`GEN line 362: manifestitem mimetype ${attr(m, 'mimetype')} is not text/xml`);
    if (!ID_PATTERN.test(attr(m, 'id') ?? ''))
      out.push(`GEN line 368: manifestitem id ${attr(m, 'id')} does not follow [a-zA-Z_:]*UUID`);
  }
  if (attr(manifest, 'count') !== String(items.length))
    out.push('GEN line 366: manifest count differs from the manifest items');
  if (!items.some((m) => payloadList.some((p) => attr(p, 'id') === attr(m, 'id'))))
    out.push('GEN line 370: no manifestitem id matches a payload id');
  const sender = attr(childNamed(header, 'senderAddress', ITK_NS), 'uri');
  if (sender !== undefined && !/^urn:nhs-uk:addressing:[a-zA-Z_:0-9]{1,}/.test(sender))
    out.push(`GEN line 380: senderAddress ${sender} does not match the address regex`);
  if (attr(payloads, 'count') !== String(payloadList.length))
    out.push('GEN line 401: payloads count differs from the payloads');
  if (attr(payloads, 'count') !== attr(manifest, 'count'))
    out.push('GEN line 402: payloads count differs from the manifest count');
  for (const p of payloadList)
    if (!ID_PATTERN.test(attr(p, 'id') ?? ''))
      out.push(`GEN line 403: payload id ${attr(p, 'id')} does not follow [a-zA-Z_:]*UUID`);
}

const specValue = (header: LiteElement | undefined, key: string) =>
  childrenNamed(childNamed(header, 'handlingSpecification', ITK_NS), 'spec', ITK_NS)
    .find((s) => attr(s, 'key') === key)
    ?.attrs.get('value');

/** ACK lines 1-186 (SUBSET ITKInfrastructureAcknowledgement-v1-0). */
function infAckRules(root: LiteElement, response: LiteElement, out: string[]): void {
  const header = childNamed(root, 'header', ITK_NS);
  // ACK line 3 + GEN line 418: the interaction identifies the inf ack
  if (specValue(header, SPEC_KEY.interaction) !== INTERACTION.infAck)
    out.push(`ACK line 3 / GEN line 418: interaction is not ${INTERACTION.infAck}`);
  const timestamp = attr(response, 'timestamp');
  if (timestamp === undefined || !DATE_TIME.test(timestamp))
    out.push(`ACK line 10 / GEN line 507: timestamp ${timestamp} is not a dateTime`);
  if (attr(response, 'result') !== 'Failure') return; // ACK line 15: the rest applies to a negative ack
  const reporting = childrenNamed(childNamed(response, 'reportingIdentity', ITK_NS), 'id', ITK_NS);
  if (!reporting.some((id) => attr(id, 'uri')))
    out.push('ACK line 27: reportingIdentity/id/@uri is missing');
  const infos = childrenNamed(childNamed(response, 'errors', ITK_NS), 'errorInfo', ITK_NS);
  if (infos.length === 0) out.push('ACK line 182: a Failure has no errorInfo');
  for (const info of infos) {
    const text = (name: string) => childNamed(info, name, ITK_NS)?.text;
    const code = childNamed(info, 'ErrorCode', ITK_NS);
    if (!UUID_UPPER.test(text('ErrorID') ?? ''))
      out.push(`ACK line 39: ErrorID ${text('ErrorID')} is not an upper-case UUID`);
    if (attr(code, 'codeSystem') !== DE_CODE_SYSTEM)
      out.push(`ACK line 42: codeSystem ${attr(code, 'codeSystem')} is not ${DE_CODE_SYSTEM}`);
    if (!code) out.push('ACK line 168: ErrorCode missing');
    if (text('ErrorText') === undefined) out.push('ACK line 154: ErrorText missing');
    const expected = DE_TEXT[code?.text ?? ''];
    if (!expected) out.push(`ACK line 147: ErrorCode ${code?.text} is not one of DE0001-DE0012`);
    else if (text('ErrorText') !== expected)
      out.push(
        `ACK lines 60-144: ErrorText for ${code?.text} is "${text('ErrorText')}", not "${expected}"`,
      );
  }
}

/** ACK lines 189-196 (SUBSET ITKBusinessAcknowledgement-v1-0) with GEN lines 412-418. */
function busAckRules(root: LiteElement, out: string[]): void {
  const header = childNamed(root, 'header', ITK_NS);
  const profile = attr(
    childNamed(childNamed(header, 'manifest', ITK_NS), 'manifestitem', ITK_NS),
    'profileid',
  );
  if (profile !== BUS_ACK_PROFILE)
    out.push(`ACK line 191 / GEN line 415: profileid ${profile} is not ${BUS_ACK_PROFILE}`);
  if (specValue(header, SPEC_KEY.interaction) !== INTERACTION.busAck)
    out.push(`ACK line 192 / GEN line 418: interaction is not ${INTERACTION.busAck}`);
}

/** Every rule the message breaks; [] when the official schemas and TKW's rules pass it. */
export function conformanceProblems(bytes: Uint8Array): string[] {
  const source = Buffer.from(bytes).toString('utf8');
  const root = parseLite(source);
  const payloadRoot = (() => {
    const p = childNamed(childNamed(root, 'payloads', ITK_NS), 'payload', ITK_NS);
    return p?.children[0];
  })();
  const kind =
    payloadRoot?.ns === ITK_NS && payloadRoot.name === 'InfrastructureResponse'
      ? 'inf'
      : payloadRoot?.ns === HL7_NS && payloadRoot.name === 'BusinessResponseMessage'
        ? 'bus'
        : undefined;
  const out = schemaProblems(bytes, kind);
  deRules(root, out);
  if (kind === 'inf') infAckRules(root, payloadRoot!, out);
  if (kind === 'bus') busAckRules(root, out);
  return out;
}

/** Throws, naming every broken rule, unless the message passes. */
export function expectConformant(bytes: Uint8Array, what = 'message'): void {
  const problems = conformanceProblems(bytes);
  if (problems.length > 0)
    throw new Error(
      `${what} fails the official ITK schemas / TKW rules:\n  ${problems.join('\n  ')}\n${Buffer.from(bytes).toString('utf8').slice(0, 3000)}`,
    );
}
