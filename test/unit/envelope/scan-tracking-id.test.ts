/**
 * The tracking id a nack names for a message the router cannot read (stages 1–2): read by a
 * bounded scan of the DE's start tag and the header's start tag, never by parsing the rest.
 */
import {
  scanTrackingId,
  NIL_TRACKING_ID,
} from '../../../src/router/03-envelope/scan-tracking-id.js';
import { fixture } from '../../support/fixture-files.js';

const ID = '4C2A3B1E-9F7D-4E2A-8C1B-2D3E4F5A6B7C';
const doc = fixture('examples/careplan-notification.xml').toString('utf8');
const scan = (s: string | Buffer) => scanTrackingId(typeof s === 'string' ? Buffer.from(s) : s);

describe('scanTrackingId', () => {
  test.each([
    ['the example', doc],
    ['after a UTF-8 BOM', '\uFEFF' + doc],
    ['no XML declaration', doc.replace(/^<\?xml[^>]*>\s*/, '')],
    ['a comment before the root', doc.replace('<itk:Distr', '<!-- hi --><itk:Distr')],
    ['another prefix', doc.replace(/(<\/?|xmlns:)itk:?/g, (m) => m.replace('itk', 'x'))],
    ['the default namespace', doc.replace(/(<\/?)itk:/g, '$1').replace('xmlns:itk', 'xmlns')],
    ['single quotes', doc.replace(`trackingid="${ID}"`, `trackingid='${ID}'`)],
    ['attributes reordered', doc.replace(/(service="[^"]*") (trackingid="[^"]*")/, '$2 $1')],
    [
      'a hostile part later: unbalanced tags and NULs',
      doc.replace('<itk:payloads', '<itk:payloads><oops\0></bad'),
    ],
    ['a DOCTYPE later, in the body', doc.replace('</itk:header>', '</itk:header><!DOCTYPE x>')],
  ])('%s: the header tracking id', (_, text) => {
    expect(scan(text)).toBe(ID);
  });

  test.each([
    ['a lower-case tracking id', doc.replace(ID, ID.toLowerCase())],
    ['a padded tracking id', doc.replace(ID, ` ${ID}`)],
    ['a padded tracking id (&#x20;)', doc.replace(ID, `${ID}&#x20;`)],
    ['a tracking id that is not a UUID', doc.replace(ID, 'not-a-uuid')],
    [
      'a DOCTYPE before the root',
      doc.replace('<itk:Distr', '<!DOCTYPE x [<!ENTITY a "b">]><itk:Distr'),
    ],
    ['the wrong root', doc.replace(/DistributionEnvelope/g, 'Envelope')],
    ['the wrong namespace', doc.replace('urn:nhs-itk:ns:201005', 'urn:example')],
    ['the header not the first child', doc.replace('<itk:header', '<itk:other/><itk:header')],
    [
      'a trackingid in a comment inside the header tag area',
      doc
        .replace(/trackingid="[^"]*"/, '')
        .replace('<itk:header', `<!-- trackingid="${ID}" --><itk:header`),
    ],
    [
      'two trackingid attributes',
      doc.replace(`trackingid="${ID}"`, `trackingid="${ID}" trackingid="${ID}"`),
    ],
    ['UTF-16', Buffer.from(doc, 'utf16le')],
    ['UTF-16BE', Buffer.from(doc, 'utf16le').swap16()],
    [
      'far beyond the first 4 KiB',
      doc.replace('<itk:header', `<!--${'x'.repeat(5000)}--><itk:header`),
    ],
    ['empty', ''],
    ['a NUL in the header tag', doc.replace('<itk:header ', '<itk:header \0')],
  ])('%s: the nil UUID', (_, text) => {
    expect(scan(text)).toBe(NIL_TRACKING_ID);
  });
});
