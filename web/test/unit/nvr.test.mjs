import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNVRList } from '../../src/nvr.js';

const cases = [
  { name: 'an NVR', in: [{ DeviceName: 'sim', Channel: '0', Online: '1' }, { DeviceName: 'porch', Channel: '1', Online: '1' }, { DeviceName: 'garage', Channel: '2', Online: '0' }],
    want: [{ channel: 0, name: 'sim', online: true }, { channel: 1, name: 'porch', online: true }, { channel: 2, name: 'garage', online: false }] },
  { name: 'not a list', in: { status: '406' }, want: [] },
  { name: 'null', in: null, want: [] },
  { name: 'bad entries left out', in: [null, 7, { DeviceName: 'x', Channel: '256' }, { DeviceName: 'y', Channel: '-1' }, { DeviceName: 'z', Channel: 1 }, { DeviceName: 5, Channel: '3' }, { DeviceName: 'ok', Channel: '4', Online: 1 }],
    want: [{ channel: 4, name: 'ok', online: false }] },
  { name: 'a channel twice: the first', in: [{ DeviceName: 'a', Channel: '1', Online: '1' }, { DeviceName: 'b', Channel: '1', Online: '0' }], want: [{ channel: 1, name: 'a', online: true }] },
  { name: 'a long name cut', in: [{ DeviceName: 'n'.repeat(500), Channel: '9' }], want: [{ channel: 9, name: 'n'.repeat(64), online: false }] },
];

test('parseNVRList: the table', () => {
  for (const c of cases) assert.deepEqual(parseNVRList(c.in), c.want, c.name);
});

test('parseNVRList: fuzzed replies give a list of sane entries, never a throw', () => {
  let seed = 7;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const atoms = [null, undefined, 0, -1, 1.5, '', '0', '1', '255', '256', '007', 'x', true, {}, [], 'porch'];
  const value = (d) => (d > 2 || rnd(3) === 0 ? atoms[rnd(atoms.length)]
    : rnd(2) ? Array.from({ length: rnd(5) }, () => value(d + 1))
      : { DeviceName: value(d + 1), Channel: value(d + 1), Online: value(d + 1) });
  for (let i = 0; i < 20000; i++) {
    const got = parseNVRList(value(0));
    assert.ok(Array.isArray(got) && got.length <= 256);
    for (const c of got) assert.ok(Number.isInteger(c.channel) && c.channel >= 0 && c.channel <= 255 && typeof c.name === 'string' && typeof c.online === 'boolean');
  }
});
