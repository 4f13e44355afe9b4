/**
 * An operator's own schema, added by a catalogue file without code: it is matched before the
 * bundled catalogue, its findings are reported like any payload schema's, and it is validated as
 * written by libxml2, like every schema (a pattern that would backtrack for hours in V8 takes
 * libxml2's automaton microseconds).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createValidator,
  type Validator,
} from '../../../src/router/04-validation/create-validator.js';
import { fixture } from '../../support/fixture-files.js';

const PROFILE = 'urn:example:profile:Letter-v1-0';
const LETTER_NS = 'urn:example:letters:v1';

const XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${LETTER_NS}"
           xmlns="${LETTER_NS}" elementFormDefault="qualified">
  <xs:element name="Letter">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="nhsNumber">
          <xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[0-9]{10}"/></xs:restriction></xs:simpleType>
        </xs:element>
        <xs:element name="name">
          <xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="([A-Za-z]+ ?)*"/></xs:restriction></xs:simpleType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
`;

const CATALOGUE = `schemas:
  - id: letter-v1
    file: letter-v1.xsd
    namespace: ${LETTER_NS}
    match:
      profiles: ["${PROFILE}"]
    roots: [Letter]
`;

/** The non-coded CDA fixture, carrying a letter under the operator's profile instead. */
function letterMessage(nhsNumber: string, name: string): Buffer {
  const source = fixture('valid/cda-document-noncoded.xml').toString('utf8');
  const letter = `<Letter xmlns="${LETTER_NS}"><nhsNumber>${nhsNumber}</nhsNumber><name>${name}</name></Letter>`;
  const replaced = source
    .replace('urn:nhs-en:profile:nonCodedCDADocument-v2-0', PROFILE)
    .replace(/<ClinicalDocument[\s\S]*<\/ClinicalDocument>/, letter);
  expect(replaced).toContain(letter);
  return Buffer.from(replaced);
}

let folder: string;
let catalogueFile: string;
let validator: Validator;

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-operator-catalogue-'));
  fs.writeFileSync(path.join(folder, 'letter-v1.xsd'), XSD);
  catalogueFile = path.join(folder, 'catalogue.yaml');
  fs.writeFileSync(catalogueFile, CATALOGUE);
  validator = createValidator({ catalogues: [catalogueFile] });
});
afterAll(() => {
  validator.dispose();
  fs.rmSync(folder, { recursive: true, force: true });
});

test('a payload of the operator profile is validated against the operator schema', () => {
  const result = validator.validate(letterMessage('9434765919', 'Margaret Okafor'));
  expect(result.findings).toEqual([]);
  expect(result.valid).toBe(true);
});

test('a payload breaking an operator pattern is refused with the schema finding', () => {
  const result = validator.validate(letterMessage('94347659', 'Margaret Okafor'));
  expect(result.valid).toBe(false);
  expect(result.findings).toEqual([
    expect.objectContaining({
      code: '1000',
      rule: 'PAYLOAD-SCHEMA',
      detail: expect.stringContaining("'94347659' is not accepted by the pattern '[0-9]{10}'"),
    }),
  ]);
});

test('a value that makes a backtracking regex run for seconds is refused by libxml2 at once', () => {
  // ([A-Za-z]+ ?)* against 30 letters and a '!': V8 would try every split of the letters (about
  // 4× longer for every 2 more letters), libxml2's automaton reads each character once.
  const result = validator.validate(letterMessage('9434765919', `${'a'.repeat(30)}!`));
  expect(result.valid).toBe(false);
  expect(result.findings.map((f) => f.rule)).toEqual(['PAYLOAD-SCHEMA']);
});
