/**
 * Hostile input: nothing is expanded, fetched or read; refusals are fast and memory stays flat.
 * Timing and memory are bounded generously (orders of magnitude), never benchmarked here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  createValidator,
  type Validator,
} from '../../../src/router/04-validation/create-validator.js';
import { checkSafety } from '../../../src/router/04-validation/safety.js';
import { fixture } from '../../support/fixture-files.js';

let validator: Validator;
beforeAll(() => {
  validator = createValidator();
});
afterAll(() => validator.dispose());

const notification = fixture('examples/careplan-notification.xml').toString('utf8');

describe('stage 1 refuses hostile input before any parser sees it', () => {
  test('an external entity (XXE) is refused and the file it names is never read', () => {
    const canary = path.join(os.tmpdir(), `itk-router-xxe-${process.pid}.txt`);
    fs.writeFileSync(canary, 'CANARY-SECRET-7731');
    try {
      const xxe = notification
        .replace(
          '<?xml version="1.0" encoding="UTF-8"?>',
          `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE itk:DistributionEnvelope [<!ENTITY secret SYSTEM "file://${canary}">]>`,
        )
        .replace('Anticipatory care plan', '&secret;');
      const result = validator.validate(Buffer.from(xxe));
      expect(result.valid).toBe(false);
      expect(result.findings).toEqual([
        expect.objectContaining({
          code: '1000',
          rule: 'SAFE-DOCTYPE',
          location: { line: 2, column: 1 },
        }),
      ]);
      expect(JSON.stringify(result)).not.toContain('CANARY-SECRET-7731');
    } finally {
      fs.rmSync(canary, { force: true });
    }
  });

  test('an entity-expansion bomb is refused in milliseconds with flat memory', () => {
    const levels = Array.from(
      { length: 10 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
    ).join('');
    const bomb = Buffer.from(
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${levels}]><lolz>&lol10;</lolz>`,
    );
    const before = process.memoryUsage().rss;
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) {
      expect(validator.validate(bomb).findings[0]!.rule).toBe('SAFE-DOCTYPE');
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(ms / 1000).toBeLessThan(5); // each refusal well under 5 ms (it takes microseconds)
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  test('a DOCTYPE hidden after a comment or in lower case is still refused', () => {
    for (const doc of [
      '<!-- x --><!doctype a><a/>',
      '<?xml version="1.0"?>\n<!-- > -->\n<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>',
    ]) {
      expect(validator.validate(Buffer.from(doc)).findings).toEqual([
        expect.objectContaining({ rule: 'SAFE-DOCTYPE' }),
      ]);
    }
  });

  test('text that merely mentions <!DOCTYPE inside a comment or CDATA is not refused for it', () => {
    const withCdata = notification.replace(
      '<goal>Remain',
      '<goal><![CDATA[<!DOCTYPE is just text here>]]>Remain',
    );
    const result = validator.validate(Buffer.from(withCdata));
    expect(result.findings.filter((f) => f.rule.startsWith('SAFE-'))).toEqual([]);
  });

  test('nesting 10,000 deep is refused at the limit, with the line', () => {
    const deep = `<a>\n${'<b>'.repeat(10000)}${'</b>'.repeat(10000)}</a>`;
    expect(validator.validate(Buffer.from(deep)).findings).toEqual([
      expect.objectContaining({
        code: '1000',
        rule: 'SAFE-DEPTH',
        location: { line: 2, column: 298 },
      }),
    ]);
  });

  test.each([
    ['<a><b x="/>"><c/></b></a>', 2, 'b', 1],
    ['<a><b x="/>" y=\'">\'><c><d/></c></b></a>', 3, 'c', 2],
    ['<a q="1"><b><c q=\'>\'/></b></a>', 2, 'b', 1],
    ['<a>\n  <b t="x>y"></b\n><c/><d u="/"/></a>', 2, 'b', 1],
  ])(
    'depth counts tags whose quoted values hold ">" or "/>" as written: %s',
    (doc, deepest, first, limit) => {
      const at = (maxDepth: number) =>
        checkSafety(Buffer.from(doc), { maxMessageBytes: 1024, maxDepth });
      expect(at(deepest)).toEqual([]);
      const [refused] = at(limit);
      expect(refused?.rule).toBe('SAFE-DEPTH');
      const { line, column } = refused!.location;
      expect(doc.split('\n')[line! - 1]!.slice(column! - 1)).toMatch(new RegExp(`^<${first}[ >]`));
    },
  );

  test('an oversize message is refused before it is scanned', () => {
    const small = createValidator({ limits: { maxMessageBytes: 1024, maxDepth: 100 } });
    try {
      const result = small.validate(Buffer.from(notification));
      expect(result.findings).toEqual([
        expect.objectContaining({
          rule: 'SAFE-SIZE',
          detail: `the message is ${Buffer.byteLength(notification)} bytes, over the limit of 1024 bytes`,
        }),
      ]);
    } finally {
      small.dispose();
    }
  });

  test('a gzip bomb in a compressed payload is refused without inflating it', () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x41)).toString('base64');
    const xml = notification
      .replace(
        'profileid="urn:itk-router:profile:CarePlanNotification-v1-0"',
        'profileid="urn:itk-router:profile:CarePlanNotification-v1-0" base64="true" compressed="true"',
      )
      .replace(/<CarePlanNotification[\s\S]*<\/CarePlanNotification>/, bomb);
    const before = process.memoryUsage().rss;
    const result = validator.validate(Buffer.from(xml));
    expect(result.findings).toEqual([
      expect.objectContaining({
        code: 'DE0012',
        rule: 'DE-PAYLOAD-CONTENT',
        detail: expect.stringContaining('over the limit of'),
      }),
    ]);
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  test('a DOCTYPE inside a base64 payload is refused too', () => {
    const inner = Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><x/>').toString('base64');
    const xml = notification
      .replace(
        'profileid="urn:itk-router:profile:CarePlanNotification-v1-0"',
        'profileid="urn:itk-router:profile:CarePlanNotification-v1-0" base64="true"',
      )
      .replace(/<CarePlanNotification[\s\S]*<\/CarePlanNotification>/, inner);
    const result = validator.validate(Buffer.from(xml));
    expect(result.findings).toEqual([
      expect.objectContaining({
        code: '1000',
        rule: 'SAFE-DOCTYPE',
        location: expect.objectContaining({
          part: 'payload uuid_1B2C3D4E-5F60-4718-9A0B-C1D2E3F40516',
        }),
      }),
    ]);
  });
});

describe('defence in depth: the parser itself never resolves external entities', () => {
  test('even past stage 1, libxml2 (NONET | NO_XXE, no NOENT) does not read the named file', async () => {
    const { parseUntrusted } = await import('../../../src/router/04-validation/xml-engine.js');
    const canary = path.join(os.tmpdir(), `itk-router-xxe-parser-${process.pid}.txt`);
    fs.writeFileSync(canary, 'CANARY-PARSER-9921');
    try {
      let text = '';
      try {
        const doc = parseUntrusted(
          Buffer.from(`<!DOCTYPE a [<!ENTITY s SYSTEM "file://${canary}">]><a>&s;</a>`),
        );
        try {
          text = doc.root.content + doc.toString();
        } finally {
          doc.dispose();
        }
      } catch (err) {
        text = String(err);
      }
      expect(text).not.toContain('CANARY-PARSER-9921');
    } finally {
      fs.rmSync(canary, { force: true });
    }
  });
});
