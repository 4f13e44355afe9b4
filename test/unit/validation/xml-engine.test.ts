/**
 * xsdErrors: "no details" means valid, so every other outcome of a schema check must come back
 * as at least one detail, never as an empty list and never as an exception out of the validator.
 */
import { XmlError } from 'libxml2-wasm';
import { packagePath } from '../../../src/router/00-common/package-root.js';
import {
  compileXsd,
  parseUntrusted,
  xsdErrors,
  XmlLibError,
  type XsdValidator,
} from '../../../src/router/04-validation/xml-engine.js';

const throwing = (err: Error) =>
  ({
    validate: () => {
      throw err;
    },
  }) as unknown as XsdValidator;

const doc = () => parseUntrusted(Buffer.from('<r/>'));

test('a check libxml2 could not finish is a detail, not valid and not an exception', () => {
  const d = doc();
  try {
    const details = xsdErrors(throwing(new XmlError('Invalid input or internal error')), d);
    expect(details).toEqual([
      expect.objectContaining({
        message: 'libxml2 could not complete the schema check: Invalid input or internal error',
        level: 2,
      }),
    ]);
  } finally {
    d.dispose();
  }
});

test('a refusal without details is still a refusal', () => {
  const d = doc();
  try {
    const details = xsdErrors(throwing(new XmlLibError('', [])), d);
    expect(details).toHaveLength(1);
    expect(details[0]!.message).toMatch(/could not complete the schema check: no reason given/);
  } finally {
    d.dispose();
  }
});

test("libxml2's own details pass through; other errors are not swallowed", () => {
  const schema = compileXsd(
    packagePath('schemas', 'itk', 'infrastructure-response-v1-0.xsd'),
    packagePath('schemas'),
  );
  const d = doc();
  try {
    const details = xsdErrors(schema.validator, d);
    expect(details.length).toBeGreaterThan(0);
    expect(details[0]!.message).toMatch(/No matching global declaration|Element 'r'/);
    expect(() => xsdErrors(throwing(new TypeError('a bug')), d)).toThrow(TypeError);
  } finally {
    d.dispose();
    schema.dispose();
  }
});
