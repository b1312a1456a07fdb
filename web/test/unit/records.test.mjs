// Recordings: the record commands' lines, the parsers of the camera's
// (untrusted) answers, and a bounded fuzz of those parsers seeded from
// the table of cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as R from '../../src/records.js';
import * as E from '../../src/errors.js';

// A fake camera's command channel: records the lines, answers from a map.
function camera(answers) {
  const lines = [];
  const send = async (line) => {
    lines.push(line);
    const k = line.split('&')[0];
    if (!(k in answers)) throw new E.P2PError(E.ERR_STATUS, `${k}: 406`, { status: 406 });
    return answers[k];
  };
  return { send, lines };
}

const parseCases = [
  { fn: 'parseRecordIndex', in: { video_list: [{ type: 0, start_time: '1796560000', end_time: '1796560010' }, { type: 0, start_time: '1796550000', end_time: '1796550060' }] },
    want: [{ type: 0, start: 1796550000, end: 1796550060 }, { type: 0, start: 1796560000, end: 1796560010 }] },
  { fn: 'parseRecordIndex', in: { video_list: [] }, want: [] },
  { fn: 'parseRecordIndex', in: { video_list: [{ start_time: '10', end_time: '9' }] }, err: true },
  { fn: 'parseRecordIndex', in: { video_list: [{ start_time: '-1', end_time: '9' }] }, err: true },
  { fn: 'parseRecordIndex', in: { video_list: [{ start_time: '5000000000', end_time: '5000000001' }] }, err: true },
  { fn: 'parseRecordIndex', in: { video_list: [null] }, err: true },
  { fn: 'parseRecordIndex', in: { video_list: '8320' }, err: true },
  { fn: 'parseRecordIndex', in: null, err: true },
  { fn: 'parseMonthRecord', in: { video_list: '8320' }, args: [2026, 12], want: [8, 14] },
  { fn: 'parseMonthRecord', in: { video_list: 1 }, args: [2026, 2], want: [1] },
  { fn: 'parseMonthRecord', in: { video_list: String(2 ** 28) }, args: [2026, 2], err: true }, // day 29 of a 28-day February
  { fn: 'parseMonthRecord', in: { video_list: '-1' }, args: [2026, 12], err: true },
  { fn: 'parseMonthRecord', in: { video_list: '1e3' }, args: [2026, 12], err: true },
  { fn: 'parseFileList', in: { file_list: [{ file_name: 'ch0_20261206T094252.123Z_10000.flv', file_type: 0, start_time: '1796550172', end_time: '1796550182', file_size: '1234' }] },
    want: [{ name: 'ch0_20261206T094252.123Z_10000.flv', type: 0, start: 1796550172, end: 1796550182, size: 1234 }] },
  { fn: 'parseFileList', in: { file_list: [{ file_name: '../etc/passwd', start_time: '1', end_time: '2', file_size: 1 }] }, err: true },
  { fn: 'parseFileList', in: { file_list: [{ file_name: 'a.flv', start_time: '1', end_time: '2', file_size: -1 }] }, err: true },
  { fn: 'parsePlaybackState', in: { status: '0', progress: '-400', time: '1796550172', paused: false, speed: '4' }, want: { progress: -400, time: 1796550172, paused: false, speed: 4 } },
  { fn: 'parsePlaybackState', in: { status: '0', progress: '10', time: '1796550172', paused: true }, want: { progress: 10, time: 1796550172, paused: true, speed: 1 } },
  { fn: 'parsePlaybackState', in: { progress: '10', time: '1796550172', speed: '3' }, err: true },
  { fn: 'parsePlaybackState', in: { progress: 'x', time: '1' }, err: true },
  { fn: 'parsePlaybackState', in: { progress: '1', time: '1', paused: 'yes' }, err: true },
];

test('parsers: the camera\'s answers, good and bad', () => {
  for (const c of parseCases) {
    const run = () => R[c.fn](c.in, ...(c.args || []));
    if (c.err) assert.throws(run, (e) => e.code === E.ERR_STATUS && /is not valid/.test(e.message), `${c.fn} ${JSON.stringify(c.in)}`);
    else assert.deepEqual(run(), c.want, `${c.fn} ${JSON.stringify(c.in)}`);
  }
});

// A bounded fuzz: the seeds mutated (values swapped for odd ones, keys
// dropped); a parser either returns or throws a P2PError, never anything else.
test('parsers: fuzzed answers give a result or a P2PError', () => {
  const odd = [null, undefined, -1, 1.5, NaN, '', '99999999999', '1e9', {}, [], true, 'x'.repeat(300), 2 ** 53, '0x10', ' 1'];
  let seed = 12345;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const mutate = (v, depth = 0) => {
    if (rnd(6) === 0 || depth > 4) return odd[rnd(odd.length)];
    if (Array.isArray(v)) return v.map((x) => mutate(x, depth + 1));
    if (v && typeof v === 'object') {
      const o = {};
      for (const [k, x] of Object.entries(v)) if (rnd(8)) o[k] = mutate(x, depth + 1);
      return o;
    }
    return v;
  };
  for (let i = 0; i < 20000; i++) {
    const c = parseCases[rnd(parseCases.length)];
    const input = mutate(c.in);
    try {
      const out = R[c.fn](input, ...(c.args || [2026, 12]));
      assert.ok(out !== undefined);
    } catch (e) {
      assert.ok(e instanceof E.P2PError, `${c.fn}(${JSON.stringify(input)}) threw ${e}`);
    }
  }
});

test('commands: the lines sent and the replies read', async () => {
  const { send, lines } = camera({
    get_record_index: { video_list: [{ type: 0, start_time: '1796550000', end_time: '1796550010' }] },
    get_month_record: { video_list: '32' },
    get_file_list: { file_list: [] },
    playback_seek: { status: '0', progress: '3000', time: '1796550003', paused: false, speed: '1' },
    playback_speed: { status: '0', progress: '3000', time: '1796550003', paused: false, speed: '8' },
  });
  assert.deepEqual(await R.recordIndex(send, { from: 1796549000, to: 1796560000 }), [{ type: 0, start: 1796550000, end: 1796550010 }]);
  assert.deepEqual(await R.monthRecord(send, 2026, 12), [6]);
  assert.deepEqual(await R.fileList(send, '2026-12-06'), []);
  assert.equal((await R.playbackControl(send, 'seek', { time: 1796550003 })).progress, 3000);
  assert.equal((await R.playbackControl(send, 'speed', { speed: 8 })).speed, 8);
  const day = R.dayRange('2026-12-06');
  assert.equal(day.to - day.from, 86399);
  assert.deepEqual(lines, [
    'get_record_index&start_time=1796549000&end_time=1796560000',
    'get_month_record&time=202612',
    `get_file_list&start_time=${day.from}&end_time=${day.to}&file_type=0`,
    'playback_seek&time=1796550003',
    'playback_speed&speed=8',
  ]);
  // Bad arguments are refused before anything is sent.
  for (const f of [
    () => R.recordIndex(send, '2026-13-01'), () => R.recordIndex(send, { from: 10, to: 5 }), () => R.monthRecord(send, 2026, 0),
    () => R.playbackControl(send, 'speed', { speed: 3 }), () => R.playbackControl(send, 'rewind'), () => R.playbackControl(send, 'seek', { time: -5 }),
  ]) await assert.rejects(f, (e) => e.code === E.ERR_ARGUMENT);
  assert.throws(() => R.playbackLine({ start: 20, end: 10 }), (e) => e.code === E.ERR_ARGUMENT);
  assert.equal(R.playbackLine({ start: new Date(1796550000000), end: 1796550060 }), 'ipc.flv?action=playback&channel=0&start_time=1796550000&end_time=1796550060');
  assert.equal(lines.length, 5);
  // A camera that does not record: its 406 comes through.
  await assert.rejects(() => R.recordIndex(camera({}).send, '2026-12-06'), (e) => e.status === 406);
});
