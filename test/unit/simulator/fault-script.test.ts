/** Fault rules from the command line's flags and from a YAML fault script. */
import path from 'node:path';
import { parseDuration } from '../../../src/tools/simulator/duration.js';
import {
  FaultScriptError,
  faultsFromFlags,
  loadFaultScript,
  parseFaultScript,
} from '../../../src/tools/simulator/fault-script.js';
import { FIXTURES } from '../../support/fixture-files.js';

describe('flags', () => {
  test('no flag: no rule', () => expect(faultsFromFlags({})).toEqual([]));

  test('every flag: one rule for every message', () => {
    expect(
      faultsFromFlags({
        nack: 'DE0003',
        delay: '2s',
        drop: true,
        duplicateAnswers: true,
        staleVersion: true,
        ackAcks: true,
      }),
    ).toEqual([
      {
        nack: { code: 'DE0003' },
        delayMs: 2000,
        drop: true,
        duplicateAnswers: true,
        staleVersion: true,
        ackAcks: true,
      },
    ]);
  });

  test('an unknown error code or a bad duration is refused, naming the flag', () => {
    expect(() => faultsFromFlags({ nack: 'DE0099' })).toThrow(
      /--nack: "DE0099" is not an ITK error code/,
    );
    expect(() => faultsFromFlags({ delay: 'soon' })).toThrow(/--delay: "soon" is not a duration/);
  });
});

describe('fault script', () => {
  test('the example script (test/fixtures/simulator/faults.yaml)', () => {
    expect(loadFaultScript(path.join(FIXTURES, 'simulator', 'faults.yaml'))).toEqual([
      {
        nack: { code: '2100', text: 'the care record system is being restarted' },
        when: { messageType: ['CarePlanRequest'] },
        times: 1,
      },
      { delayMs: 250, when: { interaction: ['urn:itk-router:interaction:CarePlan*'] } },
      { ackAcks: true, when: { service: ['urn:nhs-itk:services:201005:SendBusinessAck-v1-0'] } },
    ]);
  });

  test('a bare list, lists of values, every fault', () => {
    const rules = parseFaultScript(`
- nack: DE0007
  when: { service: [a, b*], interaction: x, messageType: CarePlanUpdate }
- { drop: true, duplicate-answers: true, stale-version: false, ack-acks: true, delay: 1.5 }
`);
    expect(rules).toEqual([
      {
        nack: { code: 'DE0007' },
        when: { service: ['a', 'b*'], interaction: ['x'], messageType: ['CarePlanUpdate'] },
      },
      { drop: true, duplicateAnswers: true, staleVersion: false, ackAcks: true, delayMs: 1500 },
    ]);
  });

  test('empty: no rules', () => {
    expect(parseFaultScript('')).toEqual([]);
    expect(parseFaultScript('faults: []')).toEqual([]);
  });

  test.each([
    ['faults: [{ nak: DE0003 }]', /faults\[0\]: unknown key nak/],
    ['faults: [{ nack: DE9 }]', /faults\[0\]\.nack: "DE9" is not an ITK error code/],
    ['faults: [{ drop: yes please }]', /faults\[0\]\.drop: expected true or false/],
    ['faults: [{ delay: 2 weeks }]', /faults\[0\]\.delay: "2 weeks" is not a duration/],
    ['faults: [{ drop: true, times: 0 }]', /faults\[0\]\.times: expected a whole number/],
    ['faults: [{ drop: true, when: { sender: x } }]', /faults\[0\]\.when: unknown key sender/],
    [
      'faults: [{ drop: true, when: { service: [] } }]',
      /faults\[0\]\.when\.service: expected a string/,
    ],
    ['faults: { drop: true }', /faults must be a list/],
    ['fault: []', /the only top-level key is faults/],
    ['faults: [', /fault script: /],
  ])('%s is refused', (text, message) => {
    expect(() => parseFaultScript(text)).toThrow(FaultScriptError);
    expect(() => parseFaultScript(text)).toThrow(message);
  });

  test('a missing file', () => {
    expect(() => loadFaultScript('/nonexistent/faults.yaml')).toThrow(
      /cannot read the fault script/,
    );
  });
});

describe('durations', () => {
  test.each([
    ['500ms', 500],
    ['2s', 2000],
    ['2', 2000],
    ['1.5m', 90_000],
    ['1h', 3_600_000],
    [' 30s ', 30_000],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test('refused', () => {
    expect(() => parseDuration('-1s', '--for')).toThrow(/--for: "-1s" is not a duration/);
    expect(() => parseDuration('')).toThrow(RangeError);
  });
});
