// The SDK's state machine with fake transports: login, signalling,
// signed answers, requests, commands, errors, re-dialling, teardown.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { P2PCam, liveLine } from '../../src/sdk.js';
import * as E from '../../src/errors.js';
import { Camera, fakeMQTT, fakePeerConnection, fakeFetch } from './fakes.mjs';

const fastTimeouts = { info: 200, answer: 200, connect: 200, head: 200, disconnected: 20, login: 200, signalling: 200 };

const made = [];
afterEach(() => { for (const sdk of made.splice(0)) sdk.destroy(); });

async function setup(opts = {}) {
  const cam = await new Camera(opts.device).init();
  Object.assign(cam, opts.cam || {});
  const mqtt = fakeMQTT([cam, ...(opts.others || [])], opts.mqtt);
  const PC = fakePeerConnection(cam, opts.pc);
  const fetch = fakeFetch(opts.shared);
  const sdk = new P2PCam().init({ mqttConnect: mqtt, RTCPeerConnection: PC, fetch, cloud: 'http://cloud', timeouts: fastTimeouts, reconnectDelays: [10, 20], ...opts.init });
  made.push(sdk);
  return { sdk, cam, mqtt, PC, fetch };
}

const events = (sdk, names) => {
  const got = [];
  for (const n of names) sdk.on(n, (e) => got.push([n, e]));
  return got;
};

test('login connects signalling as USER:SUFFIX and subscribes the inbox', async () => {
  const { sdk, mqtt, fetch } = await setup();
  const acct = await sdk.login('alice', 'pw');
  assert.equal(acct.user, 'alice');
  assert.deepEqual(acct.devices.map((d) => d.device), ['demo/cam1']);
  assert.deepEqual(fetch.calls[0], { url: 'http://cloud/api/login', body: { user: 'alice', password: 'pw' } });
  const c = mqtt.clients[0];
  assert.equal(c.url, 'ws://cloud/mqtt');
  assert.equal(c.options.protocolVersion, 5);
  assert.equal(c.options.username, 'alice');
  assert.equal(c.options.password, 'short-lived');
  assert.match(c.options.clientId, /^alice:[A-Za-z0-9._-]{1,64}$/);
  assert.ok(c.subs.has('p2pcam/viewer/alice/inbox'));
  sdk.destroy();
  assert.equal(c.ended, true);
});

test('a wrong password is ERR_LOGIN; a broker refusal is ERR_SIGNALLING', async () => {
  const { sdk } = await setup();
  await assert.rejects(sdk.login('alice', 'nope'), { code: E.ERR_LOGIN, message: 'wrong user or password' });
  const b = await setup({ mqtt: { refuse: true } });
  await assert.rejects(b.sdk.login('alice', 'pw'), { code: E.ERR_SIGNALLING });
});

test('startP2PService: offer with token, response topic and correlation data; candidates after the offer; signed answer; connected', async () => {
  const { sdk, cam, mqtt, PC } = await setup();
  const got = events(sdk, ['connected', 'path', 'state']);
  await sdk.login('alice', 'pw');
  const s = await sdk.startP2PService('cam', { device: 'demo/cam1' });
  assert.equal(s.state, 'connected');
  const pub = mqtt.clients[0].published.filter((p) => p.topic === 'p2pcam/demo/cam1/rpc');
  assert.equal(pub[0].msg.type, 'offer', 'the offer goes first');
  assert.equal(pub[0].msg.token, 'p2pcam1.tok.demo/cam1');
  assert.match(pub[0].msg.session, /^[A-Za-z0-9_-]{16,64}$/);
  assert.equal(pub[0].props.responseTopic, 'p2pcam/viewer/alice/inbox');
  assert.equal(pub[0].props.correlationData, pub[0].msg.session);
  const cands = pub.filter((p) => p.msg.type === 'candidate');
  assert.ok(cands.length >= 1);
  for (const c of cands) assert.deepEqual(Object.keys(c.msg.candidate).filter((k) => k === 'usernameFragment'), [], 'no fields the camera refuses');
  assert.equal(cam.offers.length, 1);
  // The camera's early candidate was applied after the answer.
  assert.equal(PC.instances[0].added[0].candidate, 'candidate:1 1 udp 1 127.0.0.1 5000 typ host');
  assert.deepEqual(PC.instances[0].config.iceServers, [{ urls: ['stun:cloud:3478'] }]);
  assert.ok(got.some(([n, e]) => n === 'connected' && e.id === 'cam' && e.path === 'host'));
  assert.ok(got.some(([n, e]) => n === 'path' && e.path === 'host'));
  assert.deepEqual(got.filter(([n]) => n === 'state').map(([, e]) => e.state), ['connecting', 'connected']);
  sdk.stopServiceById('cam');
  assert.equal(s.state, 'closed');
  assert.ok(PC.instances[0].closed);
  assert.ok(mqtt.clients[0].published.some((p) => p.msg.type === 'bye' && p.msg.session === pub[0].msg.session));
});

test('refusals and failures have their codes', async (t) => {
  const cases = [
    { name: 'camera refuses the token', cam: { mode: 'error' }, code: E.ERR_REFUSED, status: 401 },
    { name: 'bad answer signature', cam: { mode: 'badsig' }, code: E.ERR_BAD_SIGNATURE },
    { name: 'no answer', cam: { mode: 'silent' }, code: E.ERR_NO_ANSWER },
    { name: 'camera offline', cam: { online: false }, code: E.ERR_OFFLINE },
    { name: 'ICE never connects', pc: { neverConnect: true }, code: E.ERR_CONNECT },
    { name: 'unshared device', device: 'demo/cam2', shared: ['demo/cam1'], code: E.ERR_NOT_SHARED, message: /not shared with alice/ },
    { name: 'unknown device', device: 'demo/cam1', target: 'demo/ghost', shared: ['demo/cam1', 'demo/ghost'], code: E.ERR_OFFLINE, message: /unknown or has never come online/ },
    { name: 'no Ed25519 in WebCrypto', init: { subtle: { importKey: async () => { throw Object.assign(new Error('Unrecognized name.'), { name: 'NotSupportedError' }); } } }, code: E.ERR_NO_ED25519, message: /cannot verify Ed25519/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const { sdk } = await setup(c);
      await sdk.login('alice', 'pw');
      const err = await sdk.startP2PService('x', { device: c.target || c.device || 'demo/cam1' }).then(() => null, (e) => e);
      assert.ok(err instanceof E.P2PError, `rejects with a P2PError, got ${err}`);
      assert.equal(err.code, c.code, err.message);
      if (c.status) assert.equal(err.status, c.status);
      if (c.message) assert.match(err.message, c.message);
      assert.equal(sdk.services.has('x'), false);
      sdk.destroy();
    });
  }
});

test('a pinned device key that differs from the cloud\'s is refused', async () => {
  const { sdk } = await setup();
  await sdk.login('alice', 'pw');
  await assert.rejects(sdk.startP2PService('x', { device: 'demo/cam1', pubkey: 'A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=' }), { code: E.ERR_BAD_SIGNATURE });
});

test('startStream delivers the head and raw body; stopStream closes the channel', async () => {
  const { sdk, cam, PC } = await setup();
  cam.heads.set('ipc.flv', { status: 0, content_type: 'video/x-flv', quality: 'high' });
  cam.bodies.set('ipc.flv', [new Uint8Array([0x46, 0x4c, 0x56, 1]).buffer, new Uint8Array([5, 6]).buffer]);
  await sdk.login('alice', 'pw');
  await sdk.startP2PService('cam', 'demo/cam1');
  const heads = [];
  const data = [];
  const h = await sdk.startStream('cam', { path: 'ipc.flv', action: 'live', channel: 0, quality: 'high' }, { onHead: (x) => heads.push(x), onData: (b) => data.push(...b) });
  assert.deepEqual(heads, [{ status: 0, content_type: 'video/x-flv', quality: 'high' }]);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(data, [0x46, 0x4c, 0x56, 1, 5, 6]);
  const dc = PC.instances[0].channels.find((d) => d.label.startsWith('ipc.flv'));
  assert.equal(dc.label, 'ipc.flv?action=live&channel=0&quality=high');
  assert.equal(dc.binaryType, 'arraybuffer');
  sdk.stopStream('cam', h);
  assert.equal(dc.readyState, 'closed');
  sdk.destroy();
});

test('a refused request is ERR_STATUS with its status; busy is ERR_BUSY', async () => {
  const { sdk, cam } = await setup();
  cam.heads.set('ipc.flv', { status: 405 });
  cam.heads.set('voice', { status: 1 });
  await sdk.login('alice', 'pw');
  await sdk.startP2PService('cam', 'demo/cam1');
  await assert.rejects(sdk.startStream('cam', 'ipc.flv?action=live&channel=0&quality=high'), { code: E.ERR_STATUS, status: 405, message: /too many viewers/ });
  const fakeStream = { getAudioTracks: () => [{}], getTracks: () => [] };
  await assert.rejects(sdk.startVoice('cam', { stream: fakeStream, transport: 'flv' }), { code: E.ERR_MICROPHONE }, 'no AudioContext in Node');
  await assert.rejects(sdk.startVoice('cam', { stream: fakeStream, transport: 'track' }), { code: E.ERR_BUSY, status: 1 });
  assert.equal(sdk._voices.size, 0);
  sdk.destroy();
});

test('sendCommand builds the line and parses the JSON reply', async () => {
  const { sdk, cam, PC } = await setup();
  cam.bodies.set('command', ['[{"status":"0",', '"appConnectNum":"1"}]']);
  await sdk.login('alice', 'pw');
  await sdk.startP2PService('cam', 'demo/cam1');
  assert.deepEqual(await sdk.sendCommand('cam', 'get_device_st&type=live'), [{ status: '0', appConnectNum: '1' }]);
  assert.equal(PC.instances[0].channels.at(-1).label, 'command?action=inner_define&channel=0&cmd=get_device_st&type=live');
  await sdk.sendCommand('cam', 'action=user_define&channel=0&cmd=ptz_left');
  assert.equal(PC.instances[0].channels.at(-1).label, 'command?action=user_define&channel=0&cmd=ptz_left');
  cam.bodies.set('command', ['not json']);
  assert.equal(await sdk.sendCommand('cam', 'command?action=inner_define&channel=0&cmd=x'), 'not json');
  await assert.rejects(sdk.sendCommand('nope', 'x'), { code: E.ERR_NO_SERVICE });
  sdk.destroy();
});

test('a channel closed before it opened is asked again, up to three times; one closed after opening is an error', async () => {
  const { sdk, cam, PC } = await setup();
  cam.bodies.set('command', ['{"ok":1}']);
  await sdk.login('alice', 'pw');
  await sdk.startP2PService('cam', 'demo/cam1');
  cam.closeFresh = { command: 3 };
  assert.deepEqual(await sdk.sendCommand('cam', 'get_nvr_list'), { ok: 1 });
  assert.equal(PC.instances[0].channels.filter((d) => d.label.startsWith('command')).length, 4);
  cam.closeFresh = { command: 4 };
  await assert.rejects(sdk.sendCommand('cam', 'get_nvr_list'), { code: E.ERR_TIMEOUT, message: /closed before the head/ });
  cam.closeFresh = { command: 1 };
  cam.openThenClose = true;
  await assert.rejects(sdk.sendCommand('cam', 'get_nvr_list'), { code: E.ERR_TIMEOUT });
});

test('a lost connection re-dials with a new session and emits disconnected, reconnecting, reconnected', async () => {
  const { sdk, cam, PC } = await setup();
  await sdk.login('alice', 'pw');
  const s = await sdk.startP2PService('cam', 'demo/cam1');
  const got = events(sdk, ['disconnected', 'reconnecting', 'reconnected', 'connected']);
  const h = await sdk.startStream('cam', 'ipc.flv?action=live&channel=0&quality=high', { onError: (e) => got.push(['streamError', e]) });
  assert.ok(h);
  const first = s.session;
  PC.instances[0]._state('disconnected');
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(got.map(([n]) => n), ['streamError', 'disconnected', 'reconnecting', 'connected', 'reconnected']);
  assert.equal(got[0][1].code, E.ERR_CONNECT);
  assert.notEqual(s.session, first);
  assert.equal(cam.offers.length, 2);
  assert.equal(s.state, 'connected');
  assert.ok(PC.instances[0].closed);
  // A network change with a healthy connection does nothing.
  s.networkChanged();
  assert.equal(cam.offers.length, 2);
  sdk.destroy();
});

test('a disconnection that heals within the grace time does not re-dial', async () => {
  const { sdk, cam, PC } = await setup({ init: { timeouts: { ...fastTimeouts, disconnected: 50 } } });
  await sdk.login('alice', 'pw');
  await sdk.startP2PService('cam', 'demo/cam1');
  PC.instances[0]._state('disconnected');
  await new Promise((r) => setTimeout(r, 10));
  PC.instances[0]._state('connected');
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(cam.offers.length, 1);
  sdk.destroy();
});

test('re-dial stops on a fatal error (refused), with an error event', async () => {
  const { sdk, cam, PC } = await setup();
  await sdk.login('alice', 'pw');
  const s = await sdk.startP2PService('cam', 'demo/cam1');
  const errs = [];
  sdk.on('error', (e) => errs.push(e));
  cam.mode = 'error';
  PC.instances[0]._state('failed');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(s.state, 'closed');
  assert.equal(errs[0].code, E.ERR_REFUSED);
  assert.equal(cam.offers.length, 2);
  sdk.destroy();
});

test('stopServiceById during the dial rejects with ERR_STOPPED', async () => {
  const { sdk } = await setup({ cam: { mode: 'silent' } });
  await sdk.login('alice', 'pw');
  const p = sdk.startP2PService('cam', 'demo/cam1');
  await new Promise((r) => setTimeout(r, 20));
  sdk.stopServiceById('cam');
  await assert.rejects(p, { code: E.ERR_STOPPED });
});

test('talkback over a data channel sends G.711 FLV; stopVoice releases it', async () => {
  const { sdk, PC } = await setup();
  await sdk.login('alice', 'pw');
  await sdk.startP2PService('cam', 'demo/cam1');
  // No AudioContext in Node: the track transport needs none.
  const s = sdk.services.get('cam');
  s.tracks = true;
  let stopped = 0;
  const track = { kind: 'audio', stop: () => stopped++ };
  const info = await sdk.startVoice('cam', { stream: { getAudioTracks: () => [track], getTracks: () => [track] } });
  assert.equal(info.transport, 'track');
  assert.equal(s.audioTransceiver.sender.track, track);
  const dc = PC.instances[0].channels.at(-1);
  assert.equal(dc.label, 'voice?channel=0&transport=track');
  sdk.stopVoice('cam');
  await new Promise((r) => setTimeout(r, 1));
  assert.equal(s.audioTransceiver.sender.track, null);
  assert.equal(dc.readyState, 'closed');
  assert.equal(stopped, 0, 'a stream the app passed in is the app\'s to stop');
  sdk.destroy();
});

test('the answer with a media track turns on the track path', async () => {
  const { sdk } = await setup({ cam: { tracks: true } });
  await sdk.login('alice', 'pw');
  const s = await sdk.startP2PService('cam', 'demo/cam1');
  assert.equal(s.tracks, true);
  const b = await setup({ init: { media: 'flv' } });
  await b.sdk.login('alice', 'pw');
  const s2 = await b.sdk.startP2PService('cam', 'demo/cam1');
  assert.equal(s2.tracks, false);
  assert.equal(s2.videoTransceiver, undefined, 'media:flv offers no transceivers');
  sdk.destroy();
  b.sdk.destroy();
});

test('the offer names the first track request (deviceInfo.live), and a redial the latest one; never without media', async () => {
  const high = liveLine(0, 'high');
  assert.equal(high, 'ipc.track?action=live&channel=0&quality=high');
  assert.equal(liveLine(1, 'super', false), 'ipc.flv?action=live&channel=1&quality=super');
  for (const tt of [
    { name: 'media', init: {}, info: { device: 'demo/cam1', live: high }, want: high },
    { name: 'no live', init: {}, info: { device: 'demo/cam1' }, want: undefined },
    { name: 'flv', init: { media: 'flv' }, info: { device: 'demo/cam1', live: high }, want: undefined },
  ]) {
    const { sdk, mqtt } = await setup({ init: tt.init });
    await sdk.login('alice', 'pw');
    const s = await sdk.startP2PService('cam', tt.info);
    const offer = mqtt.clients[0].published.find((p) => p.msg.type === 'offer');
    assert.equal(offer.msg.live, tt.want, tt.name);
    if (tt.name === 'media') {
      const std = liveLine(0, 'standard');
      s.request(std).catch(() => {});
      assert.equal(s.live, std, 'the latest track request is the next offer\'s');
    }
    sdk.destroy();
  }
});

test('bad arguments are ERR_ARGUMENT', async () => {
  const { sdk } = await setup();
  await sdk.login('alice', 'pw');
  await assert.rejects(sdk.startP2PService('x', { device: 'no-slash' }), { code: E.ERR_ARGUMENT });
  await assert.rejects(sdk.startP2PService('', { device: 'a/b' }), { code: E.ERR_ARGUMENT });
  await assert.rejects(sdk.sendCommand('x', ''), { code: E.ERR_NO_SERVICE });
  assert.throws(() => new P2PCam().init({}), { code: E.ERR_ARGUMENT });
  sdk.destroy();
});

test('the peer prepared during login is the first dial\'s, with the login\'s ICE servers; one of another kind is closed', async () => {
  const { sdk, PC } = await setup();
  await sdk.login('alice', 'pw');
  assert.equal(PC.instances.length, 1, 'login prepared a peer');
  assert.deepEqual(PC.instances[0].config.iceServers, []);
  const s = await sdk.startP2PService('cam', { device: 'demo/cam1' });
  assert.equal(s.pc, PC.instances[0]);
  assert.deepEqual(s.pc.config.iceServers, [{ urls: ['stun:cloud:3478'] }]);
  assert.ok(s.videoTransceiver && s.audioTransceiver);
  sdk.stopServiceById('cam');

  const b = await setup();
  b.sdk.prepare();
  await b.sdk.login('alice', 'pw');
  assert.equal(b.PC.instances.length, 1, 'prepare twice makes one peer');
  const f = await b.sdk.startP2PService('cam', { device: 'demo/cam1', media: 'flv' });
  assert.ok(b.PC.instances[0].closed, 'the spare with media is closed for an FLV dial');
  assert.equal(f.pc, b.PC.instances[1]);
  assert.equal(f.videoTransceiver, undefined);
});

test('resume signs in with the remembered sign-in, without the password; logout ends it', async () => {
  const { sdk, fetch, mqtt } = await setup();
  await assert.rejects(sdk.resume(), { code: E.ERR_LOGIN }, 'nothing remembered yet');
  await sdk.login('alice', 'pw', undefined, { remember: true });
  assert.deepEqual(fetch.calls.at(-1).body, { user: 'alice', password: 'pw', remember: true });
  sdk.destroy();

  const b = new P2PCam().init({ mqttConnect: mqtt, RTCPeerConnection: fakePeerConnection(null), fetch, cloud: 'http://cloud', timeouts: fastTimeouts });
  made.push(b);
  const acct = await b.resume();
  assert.equal(acct.user, 'alice');
  assert.deepEqual(acct.devices.map((d) => d.device), ['demo/cam1']);
  assert.deepEqual(fetch.calls.at(-1), { url: 'http://cloud/api/session', body: {} });
  assert.equal(mqtt.clients.at(-1).options.password, 'short-lived');
  assert.ok(!JSON.stringify(fetch.calls.slice(-1)).includes('pw'), 'no password sent');
  await b.logout();
  assert.equal(fetch.calls.at(-1).url, 'http://cloud/api/logout');
  assert.equal(mqtt.clients.at(-1).ended, true);
  await assert.rejects(b.init({ mqttConnect: mqtt, fetch, cloud: 'http://cloud', timeouts: fastTimeouts }).resume(), { code: E.ERR_LOGIN });
});
