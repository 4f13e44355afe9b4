/**
 * Inputs of the benchmarks, all deterministic:
 * - care-plan notifications of a chosen size (the committed ones live in test/fixtures/bench/,
 *   written by bench/make-fixtures.ts);
 * - a large operator schema set (thousands of element and type declarations over several
 *   included files, in its own namespace) and a catalogue YAML naming it, generated into a
 *   temporary folder at run time so the repository stays small.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packagePath } from '../src/router/00-common/package-root.js';

export const BENCH_FIXTURES = (): string => packagePath('test', 'fixtures', 'bench');

export const FIXTURE_FILES = {
  small: 'careplan-notification-3k.xml',
  large: 'careplan-notification-60k.xml',
} as const;
export type FixtureSize = keyof typeof FIXTURE_FILES;
const TARGET_BYTES: Record<FixtureSize, number> = { small: 3 * 1024, large: 60 * 1024 };

const ORGS = [
  'urn:nhs-uk:addressing:ods:A83001',
  'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY',
  'urn:nhs-uk:addressing:ods:RDE01:HOSPICE',
  'urn:nhs-uk:addressing:ods:Y02345:SOCIALCARE',
  'urn:nhs-uk:addressing:ods:RX6:111',
];
const ROLES = [
  'GP',
  'District nurse',
  'Palliative care nurse',
  'Social worker',
  'Pharmacist',
  'Care coordinator',
];
const STATUSES = ['proposed', 'planned', 'in-progress', 'on-hold', 'completed'];
const GOALS = [
  'Remain at home, comfortable and free of pain',
  'Keep breathlessness under control with the agreed medication',
  'Family carers know whom to call out of hours',
  'Anticipatory medicines are in the home and in date',
  'Preferred place of care is recorded and shared',
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A valid CarePlanNotification envelope with the given numbers of team members, goals and activities. */
export function carePlanNotification(counts: {
  members: number;
  goals: number;
  activities: number;
}): string {
  const members = Array.from({ length: counts.members }, (_, i) => {
    const role = ROLES[i % ROLES.length]!;
    const org = ORGS[i % ORGS.length]!;
    return `            <member><name>Team member ${i + 1}</name><role>${role}</role><organisation>${org}</organisation></member>`;
  });
  const goals = Array.from(
    { length: counts.goals },
    (_, i) => `            <goal>${GOALS[i % GOALS.length]!} (goal ${i + 1})</goal>`,
  );
  const activities = Array.from({ length: counts.activities }, (_, i) => {
    const due = `2026-${pad((i % 12) + 1, 2)}-${pad((i % 28) + 1, 2)}`;
    return (
      `            <activity><description>Visit ${i + 1}: review symptoms and medication</description>` +
      `<responsible>${ORGS[(i + 1) % ORGS.length]!}</responsible><due>${due}</due>` +
      `<status>${STATUSES[i % STATUSES.length]!}</status></activity>`
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<itk:DistributionEnvelope xmlns:itk="urn:nhs-itk:ns:201005">
  <itk:header service="urn:itk-router:services:CarePlanNotification-v1-0" trackingid="7D3C2B1A-0F9E-4D8C-B7A6-958473625140">
    <itk:addresslist>
      <itk:address uri="urn:nhs-uk:addressing:ods:RDE01:COMMUNITY"/>
    </itk:addresslist>
    <itk:auditIdentity>
      <itk:id uri="urn:nhs-uk:identity:ods:A83001"/>
    </itk:auditIdentity>
    <itk:manifest count="1">
      <itk:manifestitem id="uuid_2C3D4E5F-6071-4829-AB0C-D1E2F3041526" mimetype="text/xml" profileid="urn:itk-router:profile:CarePlanNotification-v1-0"/>
    </itk:manifest>
    <itk:senderAddress uri="urn:nhs-uk:addressing:ods:A83001"/>
    <itk:handlingSpecification>
      <itk:spec key="urn:nhs-itk:ns:201005:infackrequested" value="true"/>
      <itk:spec key="urn:nhs-itk:ns:201005:ackrequested" value="false"/>
      <itk:spec key="urn:nhs-itk:ns:201005:interaction" value="urn:itk-router:interaction:CarePlanNotification-v1-0"/>
    </itk:handlingSpecification>
  </itk:header>
  <itk:payloads count="1">
    <itk:payload id="uuid_2C3D4E5F-6071-4829-AB0C-D1E2F3041526">
      <CarePlanNotification xmlns="urn:itk-router:careplan:v1">
        <event>updated</event>
        <plan>
          <planId>1A2B3C4D-5E6F-4708-9192-A3B4C5D6E7F8</planId>
          <version>3</version>
          <planType>end-of-life</planType>
          <status>active</status>
          <title>Anticipatory care plan</title>
          <patient>
            <nhsNumber>9434765919</nhsNumber>
            <name>Jane Example</name>
            <birthDate>1941-03-02</birthDate>
          </patient>
          <owner>urn:nhs-uk:addressing:ods:A83001</owner>
          <careTeam>
${members.join('\n')}
          </careTeam>
          <goals>
${goals.join('\n')}
          </goals>
          <activities>
${activities.join('\n')}
          </activities>
          <reviewDate>2027-01-15</reviewDate>
          <consentToShare>true</consentToShare>
          <lastUpdated>2026-11-25T10:00:00Z</lastUpdated>
          <author><name>Dr Ann Patel</name><role>GP</role></author>
        </plan>
      </CarePlanNotification>
    </itk:payload>
  </itk:payloads>
</itk:DistributionEnvelope>
`;
}

/** The smallest notification (growing members, goals and activities together) of at least `bytes`. */
export function notificationOfSize(bytes: number): string {
  for (let n = 1; ; n++) {
    const xml = carePlanNotification({ members: n + 1, goals: n, activities: n });
    if (Buffer.byteLength(xml) >= bytes) return xml;
  }
}

/** The committed fixture, or the same text generated when the file is missing. */
export function loadFixture(size: FixtureSize): { bytes: Buffer; file: string } {
  const file = path.join(BENCH_FIXTURES(), FIXTURE_FILES[size]);
  if (fs.existsSync(file)) return { bytes: fs.readFileSync(file), file };
  return {
    bytes: Buffer.from(notificationOfSize(TARGET_BYTES[size])),
    file: `${file} (generated, not on disk)`,
  };
}

export function generatedFixtures(): Record<FixtureSize, string> {
  return {
    small: notificationOfSize(TARGET_BYTES.small),
    large: notificationOfSize(TARGET_BYTES.large),
  };
}

/** The care-plan payload of an envelope as a document of its own (its root declares its namespace). */
export function extractPayload(envelope: string): string {
  const start = envelope.indexOf('<CarePlanNotification');
  const endTag = '</CarePlanNotification>';
  const end = envelope.indexOf(endTag);
  if (start < 0 || end < 0) throw new Error('no CarePlanNotification payload');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${envelope.slice(start, end + endTag.length)}\n`;
}

// ---------------------------------------------------------------------------------------------
// The generated operator schema set

export const OPERATOR_NS = 'urn:itk-router:bench:operator:v1';
export const OPERATOR_PROFILE = 'urn:itk-router:bench:profile:OperatorDocument-v1-0';

export interface OperatorSchemaSet {
  /** The file a catalogue names: it includes the parts. */
  readonly main: string;
  readonly folder: string;
  readonly files: number;
  readonly bytes: number;
  readonly complexTypes: number;
  readonly simpleTypes: number;
  readonly elements: number;
}

const XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema"';
const schemaOpen = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema ${XS} xmlns:op="${OPERATOR_NS}" targetNamespace="${OPERATOR_NS}"
           elementFormDefault="qualified" attributeFormDefault="unqualified">`;

/** One generated "section" type: an enumerated code, a patterned identifier, a content model. */
function sectionTypes(i: number): { text: string; elements: number } {
  const ref =
    i > 0 ? `\n      <xs:element name="previous" type="op:Section${i - 1}" minOccurs="0"/>` : '';
  const text = `
  <xs:simpleType name="Code${i}">
    <xs:restriction base="xs:token">
      <xs:enumeration value="C${i}-A"/><xs:enumeration value="C${i}-B"/>
      <xs:enumeration value="C${i}-C"/><xs:enumeration value="C${i}-D"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Ident${i}">
    <xs:restriction base="xs:string">
      <xs:pattern value="S${i}-[A-Z]{2}[0-9]{4,8}"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="Section${i}">
    <xs:annotation><xs:documentation>Generated section ${i}: an identifier, a code, a title, effective time, values and a link.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="op:Ident${i}"/>
      <xs:element name="code" type="op:Code${i}"/>
      <xs:element name="title" type="xs:string" minOccurs="0"/>
      <xs:element name="effective" type="xs:dateTime" minOccurs="0"/>
      <xs:element name="value" type="xs:decimal" minOccurs="0" maxOccurs="unbounded"/>
      <xs:element name="note" type="xs:string" minOccurs="0" maxOccurs="5"/>${ref}
    </xs:sequence>
    <xs:attribute name="classCode" type="op:Code${i}"/>
    <xs:attribute name="nullFlavor" type="xs:token"/>
  </xs:complexType>
  <xs:element name="section${i}" type="op:Section${i}"/>
`;
  return { text, elements: (i > 0 ? 7 : 6) + 1 };
}

/**
 * Writes an operator schema set of about `targetBytes` into `folder`/operator: a main XSD that
 * includes `parts` files of generated types, and declares the root OperatorDocument.
 */
export function writeOperatorSchemaSet(
  folder: string,
  targetBytes: number,
  parts = 8,
): OperatorSchemaSet {
  const dir = path.join(folder, 'operator');
  fs.mkdirSync(dir, { recursive: true });
  const perType = Buffer.byteLength(sectionTypes(1000).text);
  const types = Math.max(parts, Math.round(targetBytes / perType));
  const perPart = Math.ceil(types / parts);
  let bytes = 0;
  let elements = 0;
  const includes: string[] = [];
  for (let p = 0; p < parts; p++) {
    const name = `op-part-${pad(p + 1, 2)}.xsd`;
    let body = '';
    for (let i = p * perPart; i < Math.min(types, (p + 1) * perPart); i++) {
      const t = sectionTypes(i);
      body += t.text;
      elements += t.elements;
    }
    const text = `${schemaOpen}\n  <!-- Generated by bench/fixtures.ts for the benchmarks: not a real schema. -->\n${body}</xs:schema>\n`;
    fs.writeFileSync(path.join(dir, name), text);
    bytes += Buffer.byteLength(text);
    includes.push(`  <xs:include schemaLocation="${name}"/>`);
  }
  const last = types - 1;
  const main = `${schemaOpen}
${includes.join('\n')}
  <xs:element name="OperatorDocument">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="op:section0"/>
        <xs:element ref="op:section${last}" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
`;
  const mainFile = path.join(dir, 'op-main.xsd');
  fs.writeFileSync(mainFile, main);
  bytes += Buffer.byteLength(main);
  return {
    main: mainFile,
    folder: dir,
    files: parts + 1,
    bytes,
    complexTypes: types + 1,
    simpleTypes: types * 2,
    elements: elements + 3,
  };
}

/** A catalogue YAML (schemas/catalogue.schema.json) naming the operator schema set. */
export function writeOperatorCatalogue(folder: string, set: OperatorSchemaSet): string {
  const file = path.join(folder, 'operator-catalogue.yaml');
  const relative = path.relative(folder, set.main).split(path.sep).join('/');
  fs.writeFileSync(
    file,
    `# Generated by bench/fixtures.ts: one large operator schema, matched by profile id.
schemas:
  - id: bench-operator
    file: ${relative}
    namespace: ${OPERATOR_NS}
    match:
      profiles: ["${OPERATOR_PROFILE}"]
    roots: [OperatorDocument]
`,
  );
  return file;
}

/** A temporary folder, removed by the returned function. */
export function tempFolder(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
