/**
 * Care-plan messages for the care-plan integration tests (test/integration/careplans): builders of
 * the six payloads in a Distribution Envelope, shaped like the worked messages in
 * test/fixtures/valid (one payload, profile id, senderAddress, auditIdentity), with fresh ids, and
 * readers for what the router sends back (inf nacks, its own locator answers).
 */
import { randomUUID } from 'node:crypto';
import type { GetMessage } from 'amqplib';
import type { Envelope } from '../../src/router/03-envelope/envelope.js';
import { CAREPLAN_NS, ITK_NS } from '../../src/router/03-envelope/itk-names.js';
import {
  childNamed,
  childrenNamed,
  parseLite,
  type LiteElement,
} from '../../src/router/03-envelope/lite-xml.js';
import { parseEnvelope } from '../../src/router/04-validation/parse-envelope.js';

export const ADDR = {
  gp: 'urn:nhs-uk:addressing:ods:A83001',
  community: 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY',
  /** In riverside-community's subtree RDE01:*, but claimed more specifically by community-nursing. */
  nursing: 'urn:nhs-uk:addressing:ods:RDE01:NURSING:TEAM2',
  hospice: 'urn:nhs-uk:addressing:ods:HOSP01',
  ooh: 'urn:nhs-uk:addressing:ods:NWAS111',
  locator: 'urn:nhs-uk:addressing:ods:ITKROUTER:LOCATOR',
  router: 'urn:nhs-uk:addressing:ods:ITKROUTER',
  nowhere: 'urn:nhs-uk:addressing:ods:Z99999',
} as const;

/** End point ids of test/fixtures/careplans/routes. */
export const EP = {
  gp: 'riverside-gp',
  community: 'riverside-community',
  nursing: 'community-nursing',
  hospice: 'st-marys-hospice',
  ooh: 'ooh-111',
} as const;

/** Broker-user roles of test/fixtures/careplans/routes (`__USER_<role>__`). */
export type Role = keyof typeof EP;

export const ROUTER_IDENTITY = 'urn:nhs-uk:identity:ods:ITKROUTER';
export const TOOLKIT_ERRORS = '2.16.840.1.113883.2.1.3.2.4.17.268';
/** The code system of every nack's ErrorCode (DE0001–DE0012). */
export const DE_ERRORS = '2.16.840.1.113883.2.1.3.2.4.17.516';
export const INF_ACK_SERVICE = 'urn:nhs-itk:services:201005:SendInfrastructureAck-v1-0';

export const newId = (): string => randomUUID().toUpperCase();

/** A random NHS number with a valid modulus-11 check digit (a fresh patient per test). */
export function newNhsNumber(): string {
  for (;;) {
    const digits = Array.from({ length: 9 }, (_, i) =>
      i === 0 ? 9 : Math.floor(Math.random() * 10),
    );
    const sum = digits.reduce((acc, d, i) => acc + d * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return `${digits.join('')}${check === 11 ? 0 : check}`;
  }
}

export type CarePlanName =
  | 'CarePlanNotification'
  | 'CarePlanRequest'
  | 'CarePlanResponse'
  | 'CarePlanUpdate'
  | 'LocateCarePlans'
  | 'LocateCarePlansResponse';

export interface TestMessage {
  readonly trackingId: string;
  readonly xml: string;
  readonly bytes: Buffer;
}

export interface EnvelopeOptions {
  /** Recipients (addresslist). */
  readonly to: readonly string[];
  /** senderAddress (and, derived from it, the auditIdentity). */
  readonly from: string;
  readonly trackingId?: string;
  /** The generic form: sendDistEnvelope + the interaction spec. Named service by default. */
  readonly generic?: boolean;
  /** infackrequested; no spec by default, so no inf ack is asked of anyone. */
  readonly infAck?: boolean;
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const identityOf = (address: string) =>
  address.replace('urn:nhs-uk:addressing:', 'urn:nhs-uk:identity:');

/** A DE carrying one care-plan payload (the payload's XML, in the care-plan namespace). */
export function careplanDe(name: CarePlanName, payload: string, o: EnvelopeOptions): TestMessage {
  const trackingId = o.trackingId ?? newId();
  const payloadId = `uuid_${newId()}`;
  const service = o.generic
    ? 'urn:nhs-itk:services:201005:sendDistEnvelope'
    : `urn:itk-router:services:${name}-v1-0`;
  const specs = [
    ...(o.infAck === undefined
      ? []
      : [`<itk:spec key="urn:nhs-itk:ns:201005:infackrequested" value="${o.infAck}"/>`]),
    ...(o.generic
      ? [
          `<itk:spec key="urn:nhs-itk:ns:201005:interaction" value="urn:itk-router:interaction:${name}-v1-0"/>`,
        ]
      : []),
  ];
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<itk:DistributionEnvelope xmlns:itk="urn:nhs-itk:ns:201005">
  <itk:header service="${service}" trackingid="${trackingId}">
    <itk:addresslist>
${o.to.map((uri) => `      <itk:address uri="${uri}"/>`).join('\n')}
    </itk:addresslist>
    <itk:auditIdentity>
      <itk:id uri="${identityOf(o.from)}"/>
    </itk:auditIdentity>
    <itk:manifest count="1">
      <itk:manifestitem id="${payloadId}" mimetype="text/xml" profileid="urn:itk-router:profile:${name}-v1-0"/>
    </itk:manifest>
    <itk:senderAddress uri="${o.from}"/>${
      specs.length > 0
        ? `\n    <itk:handlingSpecification>\n      ${specs.join('\n      ')}\n    </itk:handlingSpecification>`
        : ''
    }
  </itk:header>
  <itk:payloads count="1">
    <itk:payload id="${payloadId}">
      ${payload}
    </itk:payload>
  </itk:payloads>
</itk:DistributionEnvelope>
`;
  return { trackingId, xml, bytes: Buffer.from(xml, 'utf8') };
}

/** The facts of one CarePlan a test controls; everything else is realistic filler. */
export interface PlanSpec {
  readonly planId: string;
  readonly version: number;
  readonly planType: string;
  readonly nhsNumber: string;
  /** The owner's ITK address. */
  readonly owner: string;
  readonly status?: string;
  readonly title?: string;
  /** consentToShare; `'absent'` leaves the (optional) element out. */
  readonly consent?: boolean | 'absent';
  readonly lastUpdated?: string;
}

/** A plan for a new patient: version 1, active, consent given, unless `over` says otherwise. */
export function newPlan(over: Partial<PlanSpec> & Pick<PlanSpec, 'owner'>): PlanSpec {
  return {
    planId: newId(),
    version: 1,
    planType: 'long-term-condition',
    nhsNumber: newNhsNumber(),
    status: 'active',
    title: `Care plan ${randomUUID().slice(0, 8)}`,
    consent: true,
    lastUpdated: '2026-12-01T09:00:00Z',
    ...over,
  };
}

/** The next version of a plan (title changed, lastUpdated a minute on), with `over` applied. */
export function nextVersion(plan: PlanSpec, over: Partial<PlanSpec> = {}): PlanSpec {
  const last = new Date(plan.lastUpdated ?? '2026-12-01T09:00:00Z');
  return {
    ...plan,
    version: plan.version + 1,
    title: `${plan.title?.replace(/ v\d+$/, '') ?? 'Care plan'} v${plan.version + 1}`,
    lastUpdated: new Date(last.getTime() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...over,
  };
}

export function planXml(p: PlanSpec, element = 'plan'): string {
  const consent =
    p.consent === 'absent' ? '' : `<consentToShare>${p.consent ?? true}</consentToShare>`;
  return `<${element}>
        <planId>${p.planId}</planId>
        <version>${p.version}</version>
        <planType>${p.planType}</planType>
        <status>${p.status ?? 'active'}</status>
        <title>${esc(p.title ?? 'Care plan')}</title>
        <patient><nhsNumber>${p.nhsNumber}</nhsNumber><name>Jane Example</name><birthDate>1941-03-02</birthDate></patient>
        <owner>${p.owner}</owner>
        <careTeam><member><name>Dr Ann Patel</name><role>GP</role><organisation>${ADDR.gp}</organisation></member></careTeam>
        <goals><goal>Remain at home, comfortable and free of pain</goal></goals>
        <activities><activity><description>Weekly district nurse visit</description><responsible>${ADDR.community}</responsible><due>2026-12-09</due><status>planned</status></activity></activities>
        <reviewDate>2027-01-15</reviewDate>
        ${consent}
        <lastUpdated>${p.lastUpdated ?? '2026-12-01T09:00:00Z'}</lastUpdated>
        <author><name>Dr Ann Patel</name><role>GP</role></author>
      </${element}>`;
}

const cp = (root: string, body: string) =>
  `<${root} xmlns="${CAREPLAN_NS}">\n        ${body}\n      </${root}>`;

export type NotificationEvent = 'created' | 'updated' | 'closed' | 'owner-changed';

export const notification = (event: NotificationEvent, plan: PlanSpec, o: EnvelopeOptions) =>
  careplanDe(
    'CarePlanNotification',
    cp('CarePlanNotification', `<event>${event}</event>\n        ${planXml(plan)}`),
    o,
  );

export const locate = (
  q: { nhsNumber: string; planType?: string },
  o: Omit<EnvelopeOptions, 'to'> & { to?: readonly string[] },
) =>
  careplanDe(
    'LocateCarePlans',
    cp(
      'LocateCarePlans',
      `<nhsNumber>${q.nhsNumber}</nhsNumber>${q.planType ? `<planType>${q.planType}</planType>` : ''}`,
    ),
    { to: [ADDR.locator], ...o },
  );

export const request = (
  q: { planId: string } | { nhsNumber: string; planType?: string },
  o: Omit<EnvelopeOptions, 'to'> & { to?: readonly string[]; reason?: string },
) =>
  careplanDe(
    'CarePlanRequest',
    cp(
      'CarePlanRequest',
      ('planId' in q
        ? `<planId>${q.planId}</planId>`
        : `<nhsNumber>${q.nhsNumber}</nhsNumber>${q.planType ? `<planType>${q.planType}</planType>` : ''}`) +
        `<reason>${esc(o.reason ?? 'Out-of-hours call: the clinician needs the care plan')}</reason>`,
    ),
    { to: [ADDR.locator], ...o },
  );

export const response = (
  r: { inResponseTo: string; outcome: 'found' | 'not-found' | 'refused'; plan?: PlanSpec },
  o: EnvelopeOptions,
) =>
  careplanDe(
    'CarePlanResponse',
    cp(
      'CarePlanResponse',
      `<inResponseTo>${r.inResponseTo}</inResponseTo><outcome>${r.outcome}</outcome>${
        r.plan ? planXml(r.plan) : ''
      }`,
    ),
    o,
  );

/** A CarePlanUpdate proposing `proposed` (its version must be baseVersion + 1) on `baseVersion`. */
export const update = (
  u: { baseVersion: number; proposed: PlanSpec; summary?: string },
  o: EnvelopeOptions,
) =>
  careplanDe(
    'CarePlanUpdate',
    cp(
      'CarePlanUpdate',
      `<planId>${u.proposed.planId}</planId><baseVersion>${u.baseVersion}</baseVersion><summary>${esc(
        u.summary ?? 'Add hospice at home overnight support',
      )}</summary>${planXml(u.proposed, 'proposedPlan')}`,
    ),
    o,
  );

// ---------------------------------------------------------------- readers

export interface ErrorInfo {
  readonly code: string;
  readonly codeSystem: string;
  readonly text: string;
  readonly diagnostic: string;
}

export interface InfAckRead {
  readonly envelope: Envelope;
  readonly result: string;
  readonly trackingIdRef: string;
  readonly serviceRef: string;
  readonly reportingIdentity: readonly string[];
  readonly errors: readonly ErrorInfo[];
}

const bytesOf = (m: Buffer | GetMessage) => (Buffer.isBuffer(m) ? m : m.content);

/** The envelope and the payload root of a DE (the router's answers, acks). */
export function readDe(m: Buffer | GetMessage): { envelope: Envelope; root: LiteElement } {
  const envelope = parseEnvelope(bytesOf(m));
  const content = envelope.payloads[0]?.content;
  if (!content) throw new Error('the DE has no readable payload');
  return { envelope, root: parseLite(content) };
}

/** An inf ack / nack: its InfrastructureResponse. */
export function readInfAck(m: Buffer | GetMessage): InfAckRead {
  const { envelope, root } = readDe(m);
  if (root.ns !== ITK_NS || root.name !== 'InfrastructureResponse')
    throw new Error(`not an inf ack: payload root {${root.ns}}${root.name}`);
  const t = (el: LiteElement | undefined, name: string) =>
    childNamed(el, name, ITK_NS)?.text.trim() ?? '';
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
    errors: childrenNamed(childNamed(root, 'errors', ITK_NS), 'errorInfo', ITK_NS).map((e) => ({
      code: t(e, 'ErrorCode'),
      codeSystem: childNamed(e, 'ErrorCode', ITK_NS)?.attrs.get('codeSystem') ?? '',
      text: t(e, 'ErrorText'),
      diagnostic: t(e, 'ErrorDiagnosticText'),
    })),
  };
}

const cpText = (el: LiteElement | undefined, name: string) =>
  childNamed(el, name, CAREPLAN_NS)?.text.trim();

export interface LocateEntry {
  readonly planId: string;
  readonly planType: string;
  readonly version: number;
  readonly status: string;
  readonly owner: string;
  readonly title: string;
  readonly lastUpdated: string;
}

/** The router's LocateCarePlansResponse. */
export function readLocateResponse(m: Buffer | GetMessage) {
  const { envelope, root } = readDe(m);
  if (root.ns !== CAREPLAN_NS || root.name !== 'LocateCarePlansResponse')
    throw new Error(`not a LocateCarePlansResponse: payload root {${root.ns}}${root.name}`);
  const entries: LocateEntry[] = childrenNamed(root, 'entry', CAREPLAN_NS).map((e) => ({
    planId: cpText(e, 'planId') ?? '',
    planType: cpText(e, 'planType') ?? '',
    version: Number(cpText(e, 'version')),
    status: cpText(e, 'status') ?? '',
    owner: cpText(e, 'owner') ?? '',
    title: cpText(e, 'title') ?? '',
    lastUpdated: cpText(e, 'lastUpdated') ?? '',
  }));
  return {
    envelope,
    inResponseTo: cpText(root, 'inResponseTo') ?? '',
    nhsNumber: cpText(root, 'nhsNumber') ?? '',
    entries,
  };
}

/** A CarePlanResponse (the router's not-found / refused, or an owner's). */
export function readCarePlanResponse(m: Buffer | GetMessage) {
  const { envelope, root } = readDe(m);
  if (root.ns !== CAREPLAN_NS || root.name !== 'CarePlanResponse')
    throw new Error(`not a CarePlanResponse: payload root {${root.ns}}${root.name}`);
  return {
    envelope,
    inResponseTo: cpText(root, 'inResponseTo') ?? '',
    outcome: cpText(root, 'outcome') ?? '',
    reason: cpText(root, 'reason'),
    hasPlan: childNamed(root, 'plan', CAREPLAN_NS) !== undefined,
  };
}

/** Application headers of a received message as strings (the broker's own `x-*` left out). */
export const headersOf = (msg: GetMessage): Record<string, string> =>
  Object.fromEntries(
    Object.entries(msg.properties.headers ?? {})
      .filter(([k]) => !k.startsWith('x-'))
      .map(([k, v]) => [k, String(v)]),
  );
