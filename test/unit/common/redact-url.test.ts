import { redactUrl } from '../../../src/router/00-common/redact-url.js';

describe('redactUrl', () => {
  test.each([
    [
      'amqp://ops:secret@broker.example:5672/locality',
      'amqp://ops:***@broker.example:5672/locality',
    ],
    ['amqps://ops:s%40cret@broker:5671', 'amqps://ops:***@broker:5671'],
    [
      'postgres://router:pw@db.example/itk?sslmode=require',
      'postgres://router:***@db.example/itk?sslmode=require',
    ],
    // an unescaped @ in the password: hidden whole, up to the last @ before the path
    ['amqp://ops:p@ss@broker/v', 'amqp://ops:***@broker/v'],
    ['amqp://:secret@broker/', 'amqp://:***@broker/'],
  ])('hides the password of %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
    expect(redactUrl(url)).not.toMatch(/secret|s%40cret|:pw@|p@ss/);
  });

  test.each([
    'amqp://guest@127.0.0.1:5672',
    'amqp://127.0.0.1:5672/itk',
    'sqlite:/var/lib/itk-router/store.db',
    'not a url',
  ])('leaves %s, which holds no password, as it is', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});
