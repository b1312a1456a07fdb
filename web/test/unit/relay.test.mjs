// The relay handover: the redirect body's parser (untrusted bytes from
// the camera) from a table of cases that also seeds a bounded fuzz,
// reading the body off a data channel, and the playlist wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as R from '../../src/relay.js';
import * as E from '../../src/errors.js';

const good = '{"status":"302","url":"rtmp://127.0.0.1:1935/live/acme~cam1~high?exp=1&sig=x&sub=alice","hls":"http://127.0.0.1:8080/hls/acme~cam1~high.m3u8","reason":"too many viewers"}';
const cases = [
  { name: 'full', in: good, want: { url: 'rtmp://127.0.0.1:1935/live/acme~cam1~high?exp=1&sig=x&sub=alice', hls: 'http://127.0.0.1:8080/hls/acme~cam1~high.m3u8', reason: 'too many viewers' } },
  { name: 'no hls', in: '{"status":"302","url":"rtmp://relay/live/s"}', want: { url: 'rtmp://relay/live/s', hls: '', reason: '' } },
  { name: 'https hls', in: '{"status":"302","url":"rtmp://relay/live/s","hls":"https://relay/hls/s.m3u8"}', want: { url: 'rtmp://relay/live/s', hls: 'https://relay/hls/s.m3u8', reason: '' } },
  { name: 'trailing newline', in: '{"status":"302","url":"rtmp://relay/live/s"}\n', want: { url: 'rtmp://relay/live/s', hls: '', reason: '' } },
  { name: 'status as number', in: '{"status":302,"url":"rtmp://relay/live/s"}', err: /status 302/ },
  { name: 'other status', in: '{"status":"301","url":"rtmp://relay/live/s"}', err: /status/ },
  { name: 'http url', in: '{"status":"302","url":"http://relay/live/s"}', err: /want rtmp/ },
  { name: 'no host', in: '{"status":"302","url":"rtmp:///live/s"}', err: /want rtmp/ },
  { name: 'user info', in: '{"status":"302","url":"rtmp://u:p@relay/live/s"}', err: /want rtmp/ },
  { name: 'javascript hls', in: '{"status":"302","url":"rtmp://relay/live/s","hls":"javascript:alert(1)"}', err: /http\(s\)/ },
  { name: 'relative hls', in: '{"status":"302","url":"rtmp://relay/live/s","hls":"/hls/s.m3u8"}', err: /http\(s\)/ },
  { name: 'hls not a string', in: '{"status":"302","url":"rtmp://relay/live/s","hls":1}', err: /string/ },
  { name: 'unknown field', in: '{"status":"302","url":"rtmp://relay/live/s","x":1}', err: /unknown field/ },
  { name: 'array', in: '[]', err: /object/ },
  { name: 'null', in: 'null', err: /object/ },
  { name: 'not JSON', in: '{"status":"302",', err: /not JSON/ },
  { name: 'empty', in: '', err: /not JSON/ },
  { name: 'too big', in: '{"status":"302","url":"rtmp://relay/live/s","reason":"' + 'x'.repeat(5000) + '"}', err: /at most 4096/ },
];

test('parseRedirect: the table', () => {
  for (const c of cases) {
    if (c.err) {
      assert.throws(() => R.parseRedirect(c.in, 'ipc.track'), (e) => e instanceof E.P2PError && e.code === E.ERR_STATUS && e.status === 302 && c.err.test(e.message), c.name);
    } else {
      assert.deepEqual(R.parseRedirect(c.in), c.want, c.name);
    }
  }
});

test('redirectError: ERR_FULL with the redirect; a bad body its own error', () => {
  const e = R.redirectError('ipc.track?action=live', good);
  assert.equal(e.code, E.ERR_FULL);
  assert.equal(e.status, 302);
  assert.equal(e.redirect.hls, 'http://127.0.0.1:8080/hls/acme~cam1~high.m3u8');
  assert.match(e.message, /maximum of viewers/);
  assert.throws(() => R.redirectError('ipc.track', '{}'), (x) => x.code === E.ERR_STATUS && !x.redirect);
  const full = R.fullError('acme/cam1', { url: 'rtmp://r/live/s', hls: '' });
  assert.equal(full.code, E.ERR_FULL);
  assert.match(full.message, /camera acme\/cam1 is full.*no HLS/);
});

// A bounded fuzz: the table's inputs cut, bytes flipped and pieces
// spliced in; the parser returns a redirect or throws a P2PError.
test('parseRedirect: fuzzed bodies give a redirect or a P2PError', () => {
  const pieces = ['"', '{', '}', '\\', '\u0000', 'rtmp://', 'http://', '"hls":', '"status":"302"', '?', '#', '@', ' ', '\n', 'é', '\ud800'];
  let seed = 4242;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  for (let i = 0; i < 20000; i++) {
    let s = cases[rnd(cases.length)].in;
    for (let k = rnd(4); k >= 0; k--) {
      const at = rnd(s.length + 1);
      switch (rnd(3)) {
        case 0: s = s.slice(0, at); break;
        case 1: s = s.slice(0, at) + pieces[rnd(pieces.length)] + s.slice(at); break;
        default: s = s.slice(0, at) + String.fromCharCode(rnd(128)) + s.slice(at + 1);
      }
    }
    try {
      const r = R.parseRedirect(s);
      assert.ok(r.url.startsWith('rtmp://') && typeof r.hls === 'string');
      if (r.hls) assert.match(r.hls, /^https?:\/\//);
    } catch (e) {
      assert.ok(e instanceof E.P2PError, `parseRedirect(${JSON.stringify(s)}) threw ${e}`);
    }
  }
});

// A fake RTCDataChannel: the test delivers messages and closes it.
function channel() {
  return { onmessage: null, onclose: null, closed: false, close() { this.closed = true; } };
}

test('readBody: text and binary messages up to the close', async () => {
  const dc = channel();
  const p = R.readBody(dc, 5000);
  dc.onmessage({ data: new TextEncoder().encode(good.slice(0, 20)).buffer });
  dc.onmessage({ data: good.slice(20) });
  dc.onclose();
  assert.equal(await p, good);
});

test('readBody: an endless body stops past the limit, a silent one at the timeout', async () => {
  const dc = channel();
  const p = R.readBody(dc, 5000);
  for (let i = 0; i < 10 && dc.onmessage; i++) dc.onmessage({ data: new Uint8Array(1000).buffer });
  const text = await p;
  assert.equal(text.length, R.MAX_REDIRECT_SIZE + 1);
  assert.ok(dc.closed);
  assert.throws(() => R.parseRedirect(text), /at most/);
  const quiet = channel();
  assert.equal(await R.readBody(quiet, 50), '');
  assert.ok(quiet.closed);
});

test('waitPlaylist: waits for three fragments, and says what the relay last said', async () => {
  const answers = [{ status: 404, text: 'no' }, { status: 200, text: '#EXTM3U\n' }, { status: 200, text: '#EXTM3U\n#EXTINF:1.0,\n0.ts\n' }, { status: 200, text: '#EXTM3U\n#EXTINF:1.0,\n0.ts\n#EXTINF:1.0,\n1.ts\n#EXTINF:1.0,\n2.ts\n' }];
  let n = 0;
  const fetchFn = async () => { const a = answers[Math.min(n++, answers.length - 1)]; return { ok: a.status === 200, status: a.status, text: async () => a.text }; };
  await R.waitPlaylist('http://relay/hls/s.m3u8', 5000, fetchFn);
  assert.equal(n, 4);
  const down = async () => { throw new Error('Failed to fetch'); };
  await assert.rejects(R.waitPlaylist('http://relay/hls/s.m3u8', 100, down), (e) => e.code === E.ERR_PLAYBACK && /no playlist within 100 ms: Failed to fetch/.test(e.message));
  const missing = async () => ({ ok: false, status: 404, text: async () => '' });
  await assert.rejects(R.waitPlaylist('http://relay/hls/s.m3u8', 100, missing), /HTTP 404/);
});
