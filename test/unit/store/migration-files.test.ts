import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMigrations } from '../../../src/router/08-store/migration-files.js';

describe('readMigrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-migrations-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text = 'SELECT 1;\n') =>
    fs.writeFileSync(path.join(dir, name), text);

  it('orders by number, ignores other files, and checksums independently of line endings', () => {
    write('010-ten.sql');
    write('002-two-words.sql', 'SELECT 2;\r\n');
    write('README.md');
    const files = readMigrations(dir);
    expect(files.map((f) => [f.version, f.name])).toEqual([
      [2, '002-two-words'],
      [10, '010-ten'],
    ]);
    write('002-two-words.sql', 'SELECT 2;\n');
    expect(readMigrations(dir)[0]?.checksum).toBe(files[0]?.checksum);
    expect(files[0]?.sql).toBe('SELECT 2;\r\n');
  });

  it('refuses a badly named file and two files with one number', () => {
    write('1-short.sql');
    expect(() => readMigrations(dir)).toThrow(/1-short.sql is not named NNN-name.sql/);
    fs.rmSync(path.join(dir, '1-short.sql'));
    write('003-a.sql');
    write('003-b.sql');
    expect(() => readMigrations(dir)).toThrow(/003-a and 003-b share a number/);
  });

  it('refuses a missing folder', () => {
    expect(() => readMigrations(path.join(dir, 'absent'))).toThrow(/cannot read migrations/);
  });
});
