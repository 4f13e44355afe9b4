/**
 * docs/errors.md cannot drift from the code (as Fastify's errors test holds its Errors.md): the ITK
 * table against ITK_ERRORS, and "Router error codes" against the codes each RouterError has.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ITK_ERRORS } from '../../../src/router/00-common/itk-errors.js';
import { RouterError } from '../../../src/router/00-common/router-error.js';
import { CONFIG_ERROR_CODE, ConfigError } from '../../../src/router/01-config/config-error.js';
import { TRANSPORT_ERROR_CODES } from '../../../src/router/02-transport/transport-error.js';
import { EnvelopeParseError } from '../../../src/router/04-validation/parse-envelope.js';
import { CatalogueError } from '../../../src/router/04-validation/schema-catalogue.js';
import { STORE_ERROR_CODES } from '../../../src/router/08-store/store-error.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const doc = fs.readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8');

/** The rows of the first table after `heading` (or of the first table in the file), as cells. */
function table(text: string, heading?: string): string[][] {
  const from = heading ? text.indexOf(heading) : 0;
  if (from < 0) throw new Error(`docs/errors.md has no "${heading}"`);
  const lines = text.slice(from).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

describe('docs/errors.md', () => {
  test('the ITK table lists every code of ITK_ERRORS, with its code system, ErrorText and retryable', () => {
    const rows = table(doc);
    expect(rows.map((r) => r[0]).sort()).toEqual(Object.keys(ITK_ERRORS).sort());
    for (const [code, system, text, retryable] of rows) {
      const e = ITK_ERRORS[code as keyof typeof ITK_ERRORS];
      expect({ code, text, retryable }).toEqual({
        code,
        text: e.text,
        retryable: yesNo(e.retryable),
      });
      // the first row of a code system spells it out, the others abbreviate it as …<tail>
      expect(
        system!.startsWith('…') ? e.codeSystem.endsWith(system!.slice(1)) : system === e.codeSystem,
      ).toBe(true);
    }
  });

  const ours = (): [string, string, boolean][] => [
    ...Object.entries(TRANSPORT_ERROR_CODES).map(
      ([c, r]) => [c, 'TransportError', r] as [string, string, boolean],
    ),
    ...Object.entries(STORE_ERROR_CODES).map(
      ([c, r]) => [c, 'StoreError', r] as [string, string, boolean],
    ),
    [CONFIG_ERROR_CODE, 'ConfigError', new ConfigError([]).retryable],
    ['CATALOGUE_INVALID', 'CatalogueError', new CatalogueError('x').retryable],
    ['ENVELOPE_UNREADABLE', 'EnvelopeParseError', new EnvelopeParseError('x').retryable],
  ];

  test('"Router error codes" lists every code the runtime throws, by class, with retryable', () => {
    const rows = table(doc, '## Router error codes').map(([code, by, retryable]) => [
      code,
      by,
      retryable,
    ]);
    expect(rows).toEqual(ours().map(([c, by, r]) => [c, by, yesNo(r)]));
  });

  test('each class named there is a RouterError with that code', () => {
    expect(new CatalogueError('x')).toBeInstanceOf(RouterError);
    expect(new EnvelopeParseError('x').code).toBe('ENVELOPE_UNREADABLE');
    expect(new ConfigError([]).code).toBe(CONFIG_ERROR_CODE);
  });
});
