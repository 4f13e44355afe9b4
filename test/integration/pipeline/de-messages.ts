/**
 * Test messages for the pipeline integration tests: fixture DEs (test/fixtures/examples, valid,
 * broken) with a fresh tracking id and small, textual edits (addresses, senderAddress, service,
 * specs, the acknowledged tracking id), and a reader for the inf acks / nacks the router sends.
 */
import { randomUUID } from 'node:crypto';
import type { GetMessage } from 'amqplib';
import type { Envelope } from '../../../src/router/03-envelope/envelope.js';
import { ITK_NS, SERVICE } from '../../../src/router/03-envelope/itk-names.js';
import { childNamed, childrenNamed, parseLite } from '../../../src/router/03-envelope/lite-xml.js';
import { parseEnvelope } from '../../../src/router/04-validation/parse-envelope.js';
import { fixture } from '../../support/fixture-files.js';

export const ADDR = {
  gp: 'urn:nhs-uk:addressing:ods:A83001',
  community: 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY',
  nursingTeam: 'urn:nhs-uk:addressing:ods:RDE01:NURSING:TEAM2',
  ward7: 'urn:nhs-uk:addressing:ods:RDE01:NURSING:WARD7',
  hospice: 'urn:nhs-uk:addressing:ods:HOSP01',
  hospiceDaycare: 'urn:nhs-uk:addressing:ods:HOSP01:DAYCARE',
  ooh: 'urn:nhs-uk:addressing:ods:NWAS111',
  nowhere: 'urn:nhs-uk:addressing:ods:Z99999',
  router: 'urn:nhs-uk:addressing:ods:ITKROUTER',
} as const;

export const ROUTER_IDENTITY = 'urn:nhs-uk:identity:ods:ITKROUTER';
export const INF_ACK_SERVICE = SERVICE.infAck;
export const OID_DE_ERRORS = '2.16.840.1.113883.2.1.3.2.4.17.516';
export const OID_TOOLKIT_ERRORS = '2.16.840.1.113883.2.1.3.2.4.17.268';
export const ZERO_TRACKING_ID = '00000000-0000-0000-0000-000000000000';
export const CAREPLAN_NOTIFICATION_INTERACTION =
  'urn:itk-router:interaction:CarePlanNotification-v1-0';

export const newTrackingId = (): string => randomUUID().toUpperCase();

/** Spec keys by short name. */
const SPEC_KEYS = {
  infackrequested: 'urn:nhs-itk:ns:201005:infackrequested',
  ackrequested: 'urn:nhs-itk:ns:201005:ackrequested',
  interaction: 'urn:nhs-itk:ns:201005:interaction',
} as const;
export type SpecName = keyof typeof SPEC_KEYS;

export interface DeEdit {
  /** The header tracking id; a fresh upper-case UUID by default. `keep` leaves the fixture's. */
  readonly trackingId?: string | 'keep';
  readonly service?: string;
  /** Replaces the whole address list. */
  readonly addresses?: readonly string[];
  /** Sets the senderAddress uri; `null` removes the element. */
  readonly senderAddress?: string | null;
  /** Sets (string) or removes (null) handling specs. */
  readonly specs?: Partial<Record<SpecName, string | null>>;
  /** The acknowledged tracking id: InfrastructureResponse/@trackingIdRef, or the business ack's acknowledgedBy3 conveyingTransmission id. */
  readonly ackRef?: string;
  /** Further textual replacements, applied last (every match of a RegExp with the g flag). */
  readonly replace?: readonly (readonly [RegExp | string, string])[];
}

export interface TestDe {
  readonly trackingId: string;
  readonly xml: string;
  readonly bytes: Buffer;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function must(
  xml: string,
  re: RegExp,
  what: string,
  to: string | ((...m: string[]) => string),
): string {
  if (!re.test(xml)) throw new Error(`test message: no ${what} to edit`);
  return xml.replace(re, to as never);
}

/** The prefix the fixture uses for the ITK namespace (`itk:` or ``). */
function itkPrefix(xml: string): string {
  const m = /<(\w+:)?header\b/.exec(xml);
  return m?.[1] ?? '';
}

export function editDe(source: string, edit: DeEdit = {}): TestDe {
  let xml = source;
  const p = itkPrefix(xml);
  const header = /(<(?:\w+:)?header\b[^>]*?\btrackingid=")([^"]*)(")/;
  let trackingId = header.exec(xml)?.[2] ?? '';
  if (edit.trackingId !== 'keep') {
    trackingId = edit.trackingId ?? newTrackingId();
    xml = must(
      xml,
      header,
      'header trackingid',
      (_, a: string, __: string, c: string) => `${a}${trackingId}${c}`,
    );
  }
  if (edit.service !== undefined) {
    xml = must(
      xml,
      /(<(?:\w+:)?header\b[^>]*?\bservice=")([^"]*)(")/,
      'header service',
      (_, a: string, __: string, c: string) => `${a}${edit.service}${c}`,
    );
  }
  if (edit.addresses) {
    const list = edit.addresses.map((uri) => `<${p}address uri="${uri}"/>`).join('\n      ');
    xml = must(
      xml,
      /(<((?:\w+:)?)addresslist>)[\s\S]*?(<\/\2addresslist>)/,
      'addresslist',
      (_, open: string, __: string, close: string) => `${open}\n      ${list}\n    ${close}`,
    );
  }
  if (edit.senderAddress === null) {
    xml = must(xml, /\s*<(?:\w+:)?senderAddress\b[^>]*\/>/, 'senderAddress', '');
  } else if (edit.senderAddress !== undefined) {
    xml = must(
      xml,
      /(<(?:\w+:)?senderAddress\b[^>]*?\buri=")([^"]*)(")/,
      'senderAddress',
      (_, a: string, __: string, c: string) => `${a}${edit.senderAddress}${c}`,
    );
  }
  for (const [name, value] of Object.entries(edit.specs ?? {}) as [SpecName, string | null][]) {
    const key = SPEC_KEYS[name];
    const spec = new RegExp(`\\s*<(?:\\w+:)?spec\\b[^>]*?key="${esc(key)}"[^>]*/>`);
    if (value === null) {
      xml = xml.replace(spec, '');
      // an empty handlingSpecification is a schema error: drop it with its last spec
      xml = xml.replace(/\s*<((?:\w+:)?)handlingSpecification>\s*<\/\1handlingSpecification>/, '');
      continue;
    }
    const element = `<${p}spec key="${key}" value="${value}"/>`;
    if (spec.test(xml)) xml = xml.replace(spec, (m) => m.replace(/<[\s\S]*/, element));
    else if (/<(?:\w+:)?handlingSpecification>/.test(xml))
      xml = xml.replace(/(<(?:\w+:)?handlingSpecification>)/, `$1\n      ${element}`);
    else
      xml = must(
        xml,
        /(\s*)(<\/(?:\w+:)?header>)/,
        'header end',
        (_, ws: string, close: string) =>
          `${ws}  <${p}handlingSpecification>\n      ${element}\n    </${p}handlingSpecification>${ws}${close}`,
      );
  }
  if (edit.ackRef !== undefined) {
    if (/trackingIdRef="/.test(xml)) {
      xml = xml.replace(/(trackingIdRef=")[^"]*(")/, `$1${edit.ackRef}$2`);
    } else {
      xml = must(
        xml,
        /(<(?:\w+:)?acknowledgedBy3\b[\s\S]*?<(?:\w+:)?conveyingTransmission>\s*<(?:\w+:)?id\b[^>]*?\broot=")([^"]*)(")/,
        'acknowledgedBy3 conveyingTransmission',
        (_, a: string, __: string, c: string) => `${a}${edit.ackRef}${c}`,
      );
    }
  }
  for (const [from, to] of edit.replace ?? []) {
    if (
      !(typeof from === 'string'
        ? xml.includes(from)
        : new RegExp(from.source, from.flags.replace('g', '')).test(xml))
    )
      throw new Error(`test message: nothing matches ${String(from)}`);
    xml = xml.replace(from, to);
  }
  return { trackingId, xml, bytes: Buffer.from(xml, 'utf8') };
}

/** A fixture (path under test/fixtures) edited; a fresh tracking id unless `trackingId` says otherwise. */
export const de = (name: string, edit: DeEdit = {}): TestDe =>
  editDe(fixture(name).toString('utf8'), edit);

export const CDA_SERVICE = 'urn:nhs-itk:services:201005:SendCDADocument-v2-0';
export const CDA_INTERACTION = 'urn:nhs-itk:interaction:primaryRecipientNonCodedCDADocument-v2-0';

/**
 * A non-coded CDA document (valid/cda-document-noncoded.xml: the GP to the community team, both
 * acks requested, interaction spec): any ITK service is routed by address, and no care-plan rule
 * applies, so it is the plain message of the routing and identity tests.
 */
export const cda = (edit: DeEdit = {}): TestDe => de('valid/cda-document-noncoded.xml', edit);

export interface PlanEdit extends DeEdit {
  /** Default: a fresh upper-case UUID, so that each notification creates a plan of its own. */
  readonly planId?: string;
  readonly planType?: string;
  readonly event?: 'created' | 'updated' | 'closed' | 'owner-changed';
  readonly version?: number;
  readonly owner?: string;
  readonly nhsNumber?: string;
  readonly consentToShare?: boolean;
}

/**
 * A CarePlanNotification (the worked example, examples/careplan-notification.xml: the GP creates
 * an end-of-life plan it owns, consent given, to the community team) with a plan of its own, so
 * that the care-plan index (only the owner notifies; the first notification is "created"; versions
 * increase) accepts it wherever a test sends it.
 */
export function notification(edit: PlanEdit = {}): TestDe & { planId: string } {
  const planId = edit.planId ?? newTrackingId();
  const el = (name: string, value: string | number | boolean | undefined) =>
    value === undefined
      ? []
      : ([[new RegExp(`<${name}>[^<]*</${name}>`), `<${name}>${value}</${name}>`]] as const);
  const msg = de('examples/careplan-notification.xml', {
    ...edit,
    replace: [
      ...el('planId', planId),
      ...el('planType', edit.planType),
      ...el('event', edit.event),
      ...el('version', edit.version),
      ...el('owner', edit.owner),
      ...el('nhsNumber', edit.nhsNumber),
      ...el('consentToShare', edit.consentToShare),
      ...(edit.replace ?? []),
    ],
  });
  return { ...msg, planId };
}

export interface ErrorInfo {
  readonly id: string;
  readonly code: string;
  readonly codeSystem: string;
  readonly text: string;
  readonly diagnostic: string | undefined;
}

export interface InfAckRead {
  readonly envelope: Envelope;
  readonly result: string;
  readonly trackingIdRef: string;
  readonly serviceRef: string;
  readonly reportingIdentity: readonly string[];
  readonly errors: readonly ErrorInfo[];
}

/** Parses an inf ack / nack DE (parse-envelope.ts) and reads its InfrastructureResponse. */
export function readInfAck(body: Buffer | GetMessage): InfAckRead {
  const bytes = Buffer.isBuffer(body) ? body : body.content;
  const envelope = parseEnvelope(bytes);
  const content = envelope.payloads[0]?.content;
  if (!content) throw new Error('the inf ack has no payload content');
  const root = parseLite(content);
  if (root.name !== 'InfrastructureResponse' || root.ns !== ITK_NS) {
    throw new Error(`payload root is {${root.ns}}${root.name}, not itk:InfrastructureResponse`);
  }
  const text = (el: ReturnType<typeof childNamed>, name: string) =>
    childNamed(el, name, ITK_NS)?.text.trim();
  return {
    envelope,
    result: root.attrs.get('result') ?? '',
    trackingIdRef: root.attrs.get('trackingIdRef') ?? '',
    serviceRef: root.attrs.get('serviceRef') ?? '',
    reportingIdentity: childrenNamed(
      childNamed(root, 'reportingIdentity', ITK_NS),
      'id',
      ITK_NS,
    ).map((id) => id.attrs.get('uri') ?? ''),
    errors: childrenNamed(childNamed(root, 'errors', ITK_NS), 'errorInfo', ITK_NS).map((info) => ({
      id: text(info, 'ErrorID') ?? '',
      code: text(info, 'ErrorCode') ?? '',
      codeSystem: childNamed(info, 'ErrorCode', ITK_NS)?.attrs.get('codeSystem') ?? '',
      text: text(info, 'ErrorText') ?? '',
      diagnostic: text(info, 'ErrorDiagnosticText'),
    })),
  };
}

/** The rule id a router diagnostic names (`[Toolkit code ]RULE-ID: detail`). */
export const ruleOf = (e: ErrorInfo): string =>
  /^(?:\d{4} )?([A-Z0-9-]+):/.exec(e.diagnostic ?? '')?.[1] ?? '';

/**
 * The code of the refusal a nack's errorInfo stands for: the Toolkit code opening its diagnostic
 * text (src/router/07-delivery/nack-codes.ts), else its DE code.
 */
export const findingCodeOf = (e: ErrorInfo): string =>
  /^(\d{4}) /.exec(e.diagnostic ?? '')?.[1] ?? e.code;

/** Application headers of a received message as strings (the broker's own `x-*` left out). */
export const headersOf = (msg: GetMessage): Record<string, string> =>
  Object.fromEntries(
    Object.entries(msg.properties.headers ?? {})
      .filter(([k]) => !k.startsWith('x-'))
      .map(([k, v]) => [k, String(v)]),
  );
