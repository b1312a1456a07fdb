// Cameras over HTTP: parsing what a user types as a camera URL, the
// stream and command URLs made from it, and commands over fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cameraURL, flvURL, commandURL, httpCommand, httpSender, requestURL } from '../../src/http.js';
import { recordIndex, playbackPause } from '../../src/index.js';
import * as E from '../../src/errors.js';

const page = 'http://page.test:8000/viewer/index.html';

const urlCases = [
  { in: 'http://192.168.1.20:8080/', base: 'http://192.168.1.20:8080/', token: '' },
  { in: 'http://192.168.1.20:8080', base: 'http://192.168.1.20:8080/', token: '' },
  { in: '  https://cam.test/porch/  ', base: 'https://cam.test/porch/', token: '' },
  { in: 'http://cam.test:8080/?token=a.b+c', base: 'http://cam.test:8080/', token: 'a.b c' },
  { in: 'http://cam.test:8080/ipc.flv?action=live&channel=0&quality=high&token=T', base: 'http://cam.test:8080/', token: 'T' },
  { in: './', base: 'http://page.test:8000/viewer/', token: '' },
  { in: '', base: 'http://page.test:8000/viewer/', token: '' },
  { in: '/gw/', base: 'http://page.test:8000/gw/', token: '' },
  { in: 'ftp://cam.test/', err: /want http: or https:/ },
  { in: 'javascript:alert(1)', err: /want http: or https:/ },
  { in: 'http://[::1', err: /not a camera URL/ },
];

test('cameraURL: base and token of what a user typed', () => {
  for (const c of urlCases) {
    if (c.err) {
      assert.throws(() => cameraURL(c.in, page), (e) => e.code === E.ERR_ARGUMENT && c.err.test(e.message), c.in);
      continue;
    }
    assert.deepEqual(cameraURL(c.in, page), { base: c.base, token: c.token }, c.in);
  }
});

test('cameraURL never throws anything but ERR_ARGUMENT, and its base ends in /', () => {
  // A fuzz of the parser: random strings built from URL-ish pieces.
  const pieces = ['http://', 'https://', 'ftp:', '/', '?', '&', '#', '%', '%zz', '[', ']', ':', '@', 'token=', 'cam', '8080', ' ', '\u0000', 'é', '..', 'ipc.flv'];
  let seed = 1;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (const c of urlCases) {
    for (let i = 0; i < 300; i++) {
      let s = c.in;
      for (let k = rnd(5); k > 0; k--) {
        const at = rnd(s.length + 1);
        s = s.slice(0, at) + pieces[rnd(pieces.length)] + s.slice(at);
      }
      try {
        const r = cameraURL(s, page);
        assert.ok(r.base.endsWith('/'), `${JSON.stringify(s)} -> ${r.base}`);
        assert.match(r.base, /^https?:\/\//);
      } catch (e) {
        assert.equal(e.code, E.ERR_ARGUMENT, `${JSON.stringify(s)}: ${e.message}`);
      }
    }
  }
});

test('flvURL and commandURL carry the quality, channel and token', () => {
  const cam = { base: 'http://cam.test:8080/', token: 'a&b' };
  assert.equal(flvURL(cam, { quality: 'standard', channel: 2 }), 'http://cam.test:8080/ipc.flv?action=live&channel=2&quality=standard&token=a%26b');
  assert.equal(flvURL({ base: 'http://c/', token: '' }), 'http://c/ipc.flv?action=live&channel=0&quality=high');
  assert.throws(() => flvURL(cam, { quality: 'ultra' }), { code: E.ERR_ARGUMENT });
  assert.equal(commandURL(cam, 'get_device_st&type=live'), 'http://cam.test:8080/command?action=inner_define&channel=0&cmd=get_device_st&type=live&token=a%26b');
  assert.equal(commandURL({ base: 'http://c/', token: '' }, 'action=user_define&channel=0&cmd=ptz_left'), 'http://c/command?action=user_define&channel=0&cmd=ptz_left');
});

function fakeFetch(status, body, headers = {}) {
  const calls = [];
  const f = async (url) => {
    calls.push(url);
    return { ok: status >= 200 && status < 300, status, headers: new Headers(headers), text: async () => body };
  };
  f.calls = calls;
  return f;
}

test('httpCommand: replies, refusals, a camera that is down, one that does not answer', async () => {
  const cam = { base: 'http://cam.test/', token: '' };
  const ok = fakeFetch(200, '[{"status":"0","appConnectNum":"1"}]', { 'X-P2pcam-Status': '0' });
  assert.deepEqual(await httpCommand(cam, 'get_device_st&type=live', { fetch: ok }), [{ status: '0', appConnectNum: '1' }]);
  assert.equal(ok.calls[0], 'http://cam.test/command?action=inner_define&channel=0&cmd=get_device_st&type=live');

  await assert.rejects(httpCommand(cam, 'nosuch', { fetch: fakeFetch(404, '{"status":"406"}', { 'X-P2pcam-Status': '406' }) }),
    (e) => e.code === E.ERR_STATUS && e.status === 406 && /404/.test(e.message));
  await assert.rejects(httpCommand(cam, 'x', { fetch: fakeFetch(401, 'no valid token') }), (e) => e.code === E.ERR_STATUS && e.status === 401 && /no valid token/.test(e.message));
  await assert.rejects(httpCommand(cam, 'x', { fetch: async () => { throw new TypeError('Failed to fetch'); } }),
    (e) => e.code === E.ERR_CONNECT && /allowed_origins/.test(e.message));
  const hang = (url, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  await assert.rejects(httpCommand(cam, 'x', { fetch: hang, timeoutMs: 50 }), { code: E.ERR_TIMEOUT });
  await assert.rejects(httpCommand(cam, '  ', { fetch: ok }), { code: E.ERR_ARGUMENT });
});

test('httpSender: playback_* commands carry the playback\'s session; the rest do not; the recordings functions take it', async () => {
  const cam = { base: 'http://cam.test/', token: 'T' };
  const sid = '0123456789abcdef0123456789abcdef';
  const cases = [
    { cmd: 'playback_pause', session: sid, url: `http://cam.test/command?action=inner_define&channel=0&cmd=playback_pause&session=${sid}&token=T` },
    { cmd: 'playback_speed&speed=4', session: sid, url: `http://cam.test/command?action=inner_define&channel=0&cmd=playback_speed&speed=4&session=${sid}&token=T` },
    { cmd: 'playback_progress', session: null, url: 'http://cam.test/command?action=inner_define&channel=0&cmd=playback_progress&token=T' },
    { cmd: 'get_record_index&start_time=1&end_time=2', session: sid, url: 'http://cam.test/command?action=inner_define&channel=0&cmd=get_record_index&start_time=1&end_time=2&token=T' },
    { cmd: 'playback_pause', session: 'ABC&cmd=reboot', err: E.ERR_ARGUMENT },
  ];
  for (const c of cases) {
    const f = fakeFetch(200, '{"status":"0"}', { 'X-P2pcam-Status': '0' });
    const send = httpSender(cam, { session: () => c.session, fetch: f });
    if (c.err) {
      await assert.rejects(send(c.cmd), { code: c.err }, c.cmd);
      assert.equal(f.calls.length, 0, 'nothing sent with a bad session');
      continue;
    }
    await send(c.cmd);
    assert.equal(f.calls[0], c.url, c.cmd);
  }
  // The recordings functions take a send function in place of an id.
  const idx = fakeFetch(200, '{"video_list":[{"type":0,"start_time":"1700000100","end_time":"1700000200"}]}', { 'X-P2pcam-Status': '0' });
  assert.deepEqual(await recordIndex(httpSender(cam, { fetch: idx }), { from: 1700000000, to: 1700086399 }), [{ type: 0, start: 1700000100, end: 1700000200 }]);
  const st = fakeFetch(200, '{"status":"0","progress":1500,"time":1700000101,"paused":true,"speed":1}', { 'X-P2pcam-Status': '0' });
  assert.deepEqual(await playbackPause(httpSender(cam, { session: () => sid, fetch: st })), { progress: 1500, time: 1700000101, paused: true, speed: 1 });
  assert.match(st.calls[0], /cmd=playback_pause&session=/);
  assert.equal(requestURL(cam, 'ipc.flv?action=playback&channel=0&start_time=1&end_time=2'), 'http://cam.test/ipc.flv?action=playback&channel=0&start_time=1&end_time=2&token=T');
});
